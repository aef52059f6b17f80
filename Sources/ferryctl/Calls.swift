public import ArgumentParser
public import FerryCLI
import FerryProto
import FerryRPC
import Foundation

extension ConnectionOptions {
    /// One unary call over `client` with this command's metadata and timeout.
    func unary<Request: FerryMessage, Response: FerryMessage>(
        _ client: ConnectedClient,
        _ method: MethodDescriptor,
        _ request: Request,
        as response: Response.Type = Response.self
    ) async throws -> Response {
        try await client.rpc.unary(
            method,
            request: request,
            serializer: ProtobufSerializer<Request>(),
            deserializer: ProtobufDeserializer<Response>(),
            options: client.options
        )
    }

    /// GetStorage over `client`: the storage, after the server's termination detection.
    func storage(_ client: ConnectedClient, id: Int64) async throws -> FerryV1.Storage {
        try required(
            try await unary(
                client, FerryV1.Methods.StorageService.getStorage, FerryV1.GetStorageRequest(id: id),
                as: FerryV1.GetStorageResponse.self
            ).storage)
    }

    /// Connects, makes one unary call and closes.
    func call<Request: FerryMessage, Response: FerryMessage>(
        _ method: MethodDescriptor,
        _ request: Request,
        as response: Response.Type = Response.self
    ) async throws -> Response {
        try await withClient { client in try await unary(client, method, request, as: response) }
    }
}

/// `-o table|json|wide`.
struct OutputOptions: ParsableArguments {
    @Option(name: [.short, .customLong("output")], help: "Output format: table, json or wide.")
    var output: OutputFormat = .table
}

/// `-o text|json`.
struct ReplyOutputOptions: ParsableArguments {
    @Option(name: [.short, .customLong("output")], help: "Output format: text or json.")
    var output: ReplyFormat = .text

    /// Prints `json` with `-o json`, else `text`; either ends in one newline.
    func print(json: @autoclosure () -> String, text: @autoclosure () -> String) {
        let chosen = output == .json ? json() : text()
        Swift.print(chosen, terminator: chosen.hasSuffix("\n") ? "" : "\n")
    }
}

extension OutputFormat: ExpressibleByArgument {}
extension ReplyFormat: ExpressibleByArgument {}

/// Writes storages as a table (`-o table|wide`) or as `json` (`-o json`).
func printStorages(_ storages: [FerryV1.Storage], format: OutputFormat, json: () -> String) {
    switch format {
    case .json:
        print(json())
    case .table, .wide:
        print(StorageOutput.table(storages, wide: format == .wide, nowMicros: nowMicros()).render(), terminator: "")
    }
}

/// Writes one storage as a one-row table or as its JSON.
func printStorage(_ storage: FerryV1.Storage, format: OutputFormat) {
    printStorages([storage], format: format) { StorageJSON.json(storage) }
}

/// The wall clock in Unix microseconds, for ages.
func nowMicros() -> Int64 {
    Int64(Date().timeIntervalSince1970 * 1_000_000)
}

/// Writes one line to standard error.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// A storage from a response that must carry one.
func required(_ storage: FerryV1.Storage?) throws -> FerryV1.Storage {
    guard let storage else { throw RPCError(code: .internal, message: "The server sent no storage") }
    return storage
}
