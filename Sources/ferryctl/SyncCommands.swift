import ArgumentParser
import AsyncAlgorithms
import FerryCLI
import FerryProto
import FerryRPC
import Foundation

/// `ferryctl sync <id> [--watch]`: starts a sync; with `--watch`, follows it to the end.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Start a sync of a storage.",
        discussion: """
            With --watch, shows a live progress line until the sync settles, then the final status \
            (and the traceback of a failure); with -o json, only the settled storage as storage get \
            -o json prints it. Exit codes with --watch: 0 completed, 6 completed_with_errors, 1 failed.
            """
    )

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: ReplyOutputOptions

    @Argument(help: "Storage id.")
    var id: Int64

    @Flag(help: "Follow the sync until it completes or fails (WatchStorages: no polling).")
    var watch = false

    @Option(help: .hidden)
    var interval: Double?

    @Flag(help: "export: rewrite every annotated task's object this once.")
    var fullExport = false

    @Flag(help: "export: write only changed tasks, even if the storage exports all.")
    var onlyNew = false

    func run() async throws {
        if interval != nil {
            printError("ferryctl: --interval is ignored: sync --watch follows the server's changes instead of polling")
        }
        let code = try await connection.withClient { client -> Int32 in
            let started = try await connection.unary(
                client,
                FerryV1.Methods.StorageService.startSync,
                FerryV1.StartSyncRequest(
                    storageID: id, options: FerryV1.SyncOptions(onlyNew: onlyNew, fullExport: fullExport)),
                as: FerryV1.StartSyncResponse.self
            )
            let status = Names.status(started.sync?.status ?? .unspecified)
            let line = "sync \(started.jobID) \(started.alreadyRunning ? "already running" : "started"): \(status)"
            guard watch else {
                output.print(json: ReplyJSON.startSync(started), text: line)
                return ExitCodes.success
            }
            // With -o json only the settled storage is printed, so that the output is one document.
            if output.output == .text { print(line) }
            return try await follow(client)
        }
        if code != ExitCodes.success { throw ExitCode(code) }
    }

    /// Follows the storage with WatchStorages until the sync settles; returns the exit code for
    /// its final status. A terminal gets one line rewritten in place; a pipe or a file gets every
    /// line whole, flushed as it happens.
    func follow(_ client: ConnectedClient) async throws -> Int32 {
        let live = isatty(STDOUT_FILENO) != 0
        var lastLine = ""
        let watch = StorageWatch(client: client, request: FerryV1.WatchStoragesRequest(storageIDs: [id]))
        return try await watch.items { items in
            for try await item in items {
                guard case .event(let event) = item else {
                    if case .reopening(let reason) = item { printError("watch dropped (\(reason)); opening it again") }
                    continue
                }
                if event.type == .deleted { throw RPCError(code: .notFound, message: "storage \(id) was deleted") }
                guard let storage = event.storage else { continue }
                let status = storage.sync?.status ?? .unspecified
                let line = StorageOutput.progressLine(storage)
                if output.output == .text, line != lastLine {
                    if live {
                        FileHandle.standardOutput.write(Data(("\r\u{1B}[2K" + line).utf8))
                    } else {
                        print(line)
                        fflush(nil)
                    }
                    lastLine = line
                }
                if Names.isSettled(status) {
                    if output.output == .json {
                        print(StorageJSON.json(storage))
                    } else {
                        if live { print("") }
                        print(StorageOutput.summary(storage), terminator: "")
                    }
                    return ExitCodes.code(forSettled: status)
                }
            }
            throw RPCError(code: .unavailable, message: "the watch ended before the sync settled")
        }
    }
}

/// `ferryctl cancel <id>`: asks the running sync of a storage to stop.
struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel the running sync of a storage."
    )

    @OptionGroup var connection: ConnectionOptions

    @OptionGroup var output: ReplyOutputOptions

    @Argument(help: "Storage id.")
    var id: Int64

    @Option(help: "Why; recorded in the sync's traceback.")
    var reason = ""

    func run() async throws {
        let response = try await connection.call(
            FerryV1.Methods.StorageService.cancelSync,
            FerryV1.CancelSyncRequest(storageID: id, reason: reason),
            as: FerryV1.CancelSyncResponse.self
        )
        let status = Names.status(response.sync?.status ?? .unspecified)
        output.print(
            json: ReplyJSON.cancelSync(response),
            text: response.cancelRequested
                ? "sync \(response.jobID) cancel requested: \(status)" : "no sync running for storage \(id): \(status)")
    }
}

/// `ferryctl tasks list`: streams tasks with ListTasks.
struct TasksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tasks",
        abstract: "Read tasks.",
        subcommands: [List.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tasks of a project, optionally only those from one storage.")

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: OutputOptions

        @Option(help: "Project id.")
        var project: Int64

        @Option(help: "Only tasks from this storage.")
        var storage: Int64 = 0

        @Option(help: "Only tasks with a larger id.")
        var after: Int64 = 0

        @Option(help: "At most this many tasks; 0 for all.")
        var limit: Int32 = 100

        @Flag(help: "Include each task's annotations (shown with -o json).")
        var includeAnnotations = false

        func run() async throws {
            let request = FerryV1.ListTasksRequest(
                projectID: project, storageID: storage, afterTaskID: after, limit: limit,
                includeAnnotations: includeAnnotations
            )
            let tasks = try await connection.withClient { client in
                try await client.rpc.serverStreaming(
                    FerryV1.Methods.StorageService.listTasks,
                    request: request,
                    serializer: ProtobufSerializer<FerryV1.ListTasksRequest>(),
                    deserializer: ProtobufDeserializer<FerryV1.ListTasksResponse>(),
                    options: client.options
                ) { responses in
                    var tasks: [FerryV1.Task] = []
                    for try await response in responses { tasks += response.tasks }
                    return tasks
                }
            }
            switch output.output {
            case .json: print(TaskOutput.json(tasks))
            case .table, .wide: print(TaskOutput.table(tasks, wide: output.output == .wide).render(), terminator: "")
            }
        }
    }
}
