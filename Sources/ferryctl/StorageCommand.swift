import ArgumentParser
import FerryCLI
import FerryProto
import FerryRPC

/// `ferryctl storage create|get|describe|list|update|delete`.
struct StorageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "storage",
        abstract: "Create, show, change and delete storages.",
        subcommands: [Create.self, Get.self, Describe.self, List.self, Update.self, Delete.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a storage and print it.")

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: OutputOptions

        @Option(help: "Project id.")
        var project: Int64

        @Option(help: "Kind: import, export or dataset.")
        var kind: String

        @OptionGroup var spec: SpecOptions

        @Option(
            name: .customLong("validate"),
            help: "Check the connection first (a connected worker lists the location and reads one object): true or false.")
        var checkConnection = true

        func validate() throws {
            guard Names.parseKind(kind) != nil else { throw ValidationError("--kind must be import, export or dataset") }
            guard spec.provider != nil else { throw ValidationError("--provider is required") }
            _ = try spec.parsedProvider()
            _ = try spec.secrets()
        }

        func run() async throws {
            var storageSpec = FerryV1.StorageSpec(
                projectID: project, kind: Names.parseKind(kind)!, synchronizable: true
            )
            try spec.apply(to: &storageSpec)
            let response = try await connection.call(
                FerryV1.Methods.StorageService.createStorage,
                FerryV1.CreateStorageRequest(spec: storageSpec, credentials: try spec.secrets(), validate: checkConnection),
                as: FerryV1.CreateStorageResponse.self
            )
            printStorage(try required(response.storage), format: output.output)
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one storage.")

        @OptionGroup var storage: OneStorageOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            printStorage(try await storage.read(), format: output.output)
        }
    }

    struct Describe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show every field of one storage: settings, sync state, times, job, worker and traceback.",
            discussion: "Times are shown in UTC with their age; secrets by name only. -o json prints what storage get -o json does."
        )

        @OptionGroup var storage: OneStorageOptions
        @OptionGroup var output: ReplyOutputOptions

        func run() async throws {
            let storage = try await storage.read()
            output.print(json: StorageJSON.json(storage), text: StorageDescription.text(storage, nowMicros: nowMicros()))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List storages.")

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: OutputOptions

        @Option(help: "Only this project.")
        var project: Int64 = 0

        @Option(help: "Only this kind: import, export or dataset.")
        var kind: String?

        @Option(help: "Only this sync status (queued, in_progress, completed, completed_with_errors, failed, …).")
        var status: String?

        @Option(help: "Only storages whose title contains this text.")
        var titleContains = ""

        @Flag(help: "Print the list, then a line for every change until interrupted (WatchStorages); -o json: one event per line.")
        var watch = false

        func validate() throws {
            if let kind, Names.parseKind(kind) == nil { throw ValidationError("--kind must be import, export or dataset") }
            if let status, Names.parseStatus(status) == nil { throw ValidationError("--status: unknown status") }
            if watch, status != nil || !titleContains.isEmpty {
                throw ValidationError("--watch follows storages through every status: use --project and --kind with it")
            }
        }

        func run() async throws {
            if watch { return try await runWatch() }
            let filter = FerryV1.StorageFilter(
                projectID: project,
                kinds: kind.flatMap(Names.parseKind).map { [$0] } ?? [],
                statuses: status.flatMap(Names.parseStatus).map { [$0] } ?? [],
                titleContains: titleContains
            )
            let (list, queue) = try await connection.withClient { client in
                // One reply with every page's storages and the last page's counts.
                var list = FerryV1.ListStoragesResponse()
                repeat {
                    let page = try await connection.unary(
                        client,
                        FerryV1.Methods.StorageService.listStorages,
                        FerryV1.ListStoragesRequest(filter: filter, pageSize: 500, pageToken: list.nextPageToken),
                        as: FerryV1.ListStoragesResponse.self
                    )
                    list.storages += page.storages
                    list.nextPageToken = page.nextPageToken
                    list.totalCount = page.totalCount
                    list.connectedWorkers = page.connectedWorkers
                } while !list.nextPageToken.isEmpty
                // The queue's depth for the line above the table (JSON prints the reply alone);
                // a server older than ListJobs gets no queue line.
                var queue: FerryV1.ListJobsResponse?
                if output.output != .json {
                    do {
                        queue = try await connection.unary(
                            client, FerryV1.Methods.StorageService.listJobs, FerryV1.ListJobsRequest(pageSize: 1),
                            as: FerryV1.ListJobsResponse.self)
                    } catch let error as RPCError where error.code == .unimplemented {
                        queue = nil
                    }
                }
                return (list, queue)
            }
            if let queue {
                print(JobOutput.queueLine(queue, connectedWorkers: list.connectedWorkers, nowMicros: nowMicros()))
            }
            printStorages(list.storages, format: output.output) { StorageJSON.json(list) }
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a storage's settings; flags not given keep their values."
        )

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: OutputOptions

        @Argument(help: "Storage id.")
        var id: Int64

        @OptionGroup var spec: SpecOptions

        @Flag(help: "Drop every stored secret before setting those given with --secret.")
        var clearSecrets = false

        @Option(name: .customLong("validate"), help: "Check the connection with the new settings before saving: true or false.")
        var checkConnection = false

        func validate() throws {
            _ = try spec.parsedProvider()
            _ = try spec.secrets()
        }

        func run() async throws {
            let storage = try await connection.withClient { client in
                // The server replaces the whole spec; read it, change what was given, and send
                // it back guarded by the revision read, so a concurrent change is not lost.
                let current = try await connection.storage(client, id: id)
                var storageSpec = current.spec ?? FerryV1.StorageSpec()
                try spec.apply(to: &storageSpec)
                return try required(
                    try await connection.unary(
                        client,
                        FerryV1.Methods.StorageService.updateStorage,
                        FerryV1.UpdateStorageRequest(
                            id: id,
                            spec: storageSpec,
                            credentials: try spec.secrets(),
                            clearCredentials: clearSecrets,
                            expectedRevision: current.revision,
                            validate: checkConnection
                        ),
                        as: FerryV1.UpdateStorageResponse.self
                    ).storage
                )
            }
            printStorage(storage, format: output.output)
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a storage.")

        @OptionGroup var connection: ConnectionOptions

        @Argument(help: "Storage id.")
        var id: Int64

        @Flag(help: "Delete even while a sync is running (the sync is stopped).")
        var force = false

        func run() async throws {
            _ = try await connection.call(
                FerryV1.Methods.StorageService.deleteStorage,
                FerryV1.DeleteStorageRequest(id: id, force: force),
                as: FerryV1.DeleteStorageResponse.self
            )
            print("storage \(id) deleted")
        }
    }
}

/// The connection and the id of the one storage that `storage get|describe` read.
struct OneStorageOptions: ParsableArguments {
    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "Storage id.")
    var id: Int64

    /// The storage, read with GetStorage.
    func read() async throws -> FerryV1.Storage {
        try await connection.withClient { try await connection.storage($0, id: id) }
    }
}
