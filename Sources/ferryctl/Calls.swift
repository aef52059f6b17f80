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

extension OutputFormat: ExpressibleByArgument {}

/// Writes storages in the chosen format.
func printStorages(_ storages: [FerryV1.Storage], format: OutputFormat, single: Bool = false) {
    switch format {
    case .json:
        print(single && storages.count == 1 ? StorageOutput.json(storages[0]) : StorageOutput.json(storages))
    case .table, .wide:
        let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
        print(StorageOutput.table(storages, wide: format == .wide, nowMicros: now).render(), terminator: "")
    }
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
