import FerryProto
import FerryRPC
import FerryTestSupport
import Foundation
import Testing

/// Import from Azure Blob Storage end to end: real `ferryd` and `ferry-worker` processes over
/// mTLS, and a local double of the Blob service (``AzureBlobDouble``) that checks every
/// request's Shared Key signature with the official SDK's code, reached through an
/// Azurite-style endpoint.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct AzureBlobEndToEndTests {
    static let container = "ferry-import"

    /// JSON, JSON-list and JSONL blobs in nested folders, with blobs the filter or the prefix
    /// leaves out: 1 + 3 + 4 + 1 = 9 tasks from 4 blobs.
    static let blobs: [String: [UInt8]] = [
        "tasks/one.json": Array(#"{"text":"one"}"#.utf8),
        "tasks/lists/three.json": Array(#"[{"text":"l0"},{"text":"l1"},{"text":"l2"}]"#.utf8),
        "tasks/nested/deeper/rows.jsonl": Array((0..<4).map { #"{"row":\#($0)}"# }.joined(separator: "\n").utf8),
        "tasks/nested/two wörds.json": Array(#"{"text":"two"}"#.utf8),
        "tasks/nested/notes.txt": Array("filtered out by the regex".utf8),
        "elsewhere/outside.json": Array(#"{"text":"outside the prefix"}"#.utf8),
    ]

    @Test func anAzureStorageImportsEveryTaskOnceAndAReSyncCreatesNone() async throws {
        let double = try await AzureBlobDouble.start(containers: [Self.container: Self.blobs])
        defer { double.stop() }
        let world = try await World(staleAfterSeconds: 10, batchSize: 100)
        defer { world.cleanUp() }
        let storage = try await Self.storage(in: world, double: double, accountKey: double.accountKey)
        try world.worker.start()

        let first = try await world.sync(storage, until: [.completed, .failed])
        #expect(first.sync?.status == .completed, "\(first.sync?.traceback ?? "")\n\(world.worker.log)")
        #expect(first.sync?.lastSyncCount == 9)
        #expect(first.sync?.meta?.objectsScanned == 4)
        let tasks = try await world.admin { try await $0.listTasks(projectID: World.projectID) }
        let links = Set(tasks.flatMap { task in task.sources.map { "\($0.key)#\($0.rowIndex)" } })
        #expect(
            links == [
                "tasks/one.json#0", "tasks/lists/three.json#0", "tasks/lists/three.json#1", "tasks/lists/three.json#2",
                "tasks/nested/deeper/rows.jsonl#0", "tasks/nested/deeper/rows.jsonl#1",
                "tasks/nested/deeper/rows.jsonl#2", "tasks/nested/deeper/rows.jsonl#3",
                "tasks/nested/two wörds.json#0",
            ])
        #expect(tasks.contains { $0.dataJSON.contains(#""text":"l2""#) }, "the list's elements are the tasks' data")
        #expect(tasks.contains { $0.dataJSON.contains(#""row":3"#) }, "each JSONL line is a task")

        let again = try await world.sync(storage, until: [.completed, .failed])
        #expect(again.sync?.status == .completed, "\(again.sync?.traceback ?? "")")
        #expect(again.sync?.lastSyncCount == 0)
        #expect(again.sync?.meta?.tasksExisted == 4)
        try await world.expectTasks(9)
    }

    @Test func aWrongAccountKeyFailsTheSyncNamingTheStorageAndAuthenticationFailed() async throws {
        let double = try await AzureBlobDouble.start(containers: [Self.container: Self.blobs])
        defer { double.stop() }
        let world = try await World(staleAfterSeconds: 10, batchSize: 100)
        defer { world.cleanUp() }
        let wrongKey = Data(repeating: 7, count: 64).base64EncodedString()
        let storage = try await Self.storage(in: world, double: double, accountKey: wrongKey)
        try world.worker.start()

        let failed = try await world.sync(storage, until: [.failed, .completed])
        #expect(failed.sync?.status == .failed)
        let traceback = failed.sync?.traceback ?? ""
        #expect(traceback.contains("azure-blob://\(Self.container)"), "\(traceback)")
        #expect(traceback.contains("AuthenticationFailed"), "\(traceback)")
        #expect(traceback.contains("403"), "\(traceback)")
        #expect(!traceback.contains(wrongKey) && !traceback.contains(double.accountKey), "\(traceback)")
        #expect(try await world.taskCount() == 0)
    }

    /// A recursive import storage over `tasks/` in the container, taking `.json` and `.jsonl` blobs.
    static func storage(in world: World, double: AzureBlobDouble, accountKey: String) async throws -> Int64 {
        let request = FerryV1.CreateStorageRequest(
            spec: FerryV1.StorageSpec(
                projectID: World.projectID, title: "azure e2e", kind: .import, provider: .azureBlob, prefix: "tasks",
                regexFilter: #".*\.jsonl?"#, recursiveScan: true, synchronizable: true,
                azureBlob: FerryV1.AzureBlobLocation(
                    container: container, accountName: double.account, endpointURL: double.endpointURL)),
            credentials: [FerryV1.Secret(name: "account_key", value: accountKey)])
        return try await world.admin { try #require(try await $0.createStorage(request).storage).id }
    }
}
