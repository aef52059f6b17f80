import ArgumentParser
import FerryCLI
import FerryProto

/// `ferryctl dataset list`: reads a dataset storage's catalogue with ListDatasetObjects.
struct DatasetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dataset",
        abstract: "Read the catalogue of a dataset storage.",
        subcommands: [List.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the objects a dataset storage's syncs catalogued, in key order.")

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: OutputOptions

        @Option(help: "Dataset storage id.")
        var storage: Int64

        @Option(help: "Only objects whose keys start with this.")
        var prefix = ""

        @Flag(help: "Also list objects marked deleted (no longer seen by a complete listing).")
        var includeDeleted = false

        func validate() throws {
            if storage <= 0 { throw ValidationError("--storage must be a storage id") }
        }

        func run() async throws {
            let objects = try await connection.withClient { client in
                var objects: [FerryV1.CataloguedObject] = []
                var token = ""
                repeat {
                    let page = try await connection.unary(
                        client,
                        FerryV1.Methods.StorageService.listDatasetObjects,
                        FerryV1.ListDatasetObjectsRequest(
                            storageID: storage, prefix: prefix, includeDeleted: includeDeleted, pageSize: 5_000,
                            pageToken: token),
                        as: FerryV1.ListDatasetObjectsResponse.self
                    )
                    objects += page.objects
                    token = page.nextPageToken
                } while !token.isEmpty
                return objects
            }
            switch output.output {
            case .json: print(DatasetOutput.json(objects))
            case .table, .wide:
                print(
                    DatasetOutput.table(objects, wide: output.output == .wide, nowMicros: nowMicros()).render(),
                    terminator: "")
            }
        }
    }
}
