import ArgumentParser
import FerryCLI
import FerryProto

/// `ferryctl workers list`: the worker processes the server knows, with ListWorkers.
struct WorkersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workers",
        abstract: "Show the worker processes a server knows.",
        subcommands: [List.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List each worker id's current process: connected, or gone since its calls ended.")

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let reply = try await connection.withClient { client in
                try await connection.unary(
                    client, FerryV1.Methods.StorageService.listWorkers, FerryV1.ListWorkersRequest(),
                    as: FerryV1.ListWorkersResponse.self)
            }
            switch output.output {
            case .json: print(WorkerOutput.json(reply.workers))
            case .table, .wide:
                print(
                    WorkerOutput.table(reply.workers, wide: output.output == .wide, nowMicros: nowMicros()).render(),
                    terminator: "")
            }
        }
    }
}
