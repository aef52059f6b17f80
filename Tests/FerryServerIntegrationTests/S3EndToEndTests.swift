import FerryProto
import FerryRPC
import FerryTestSupport
import Foundation
import Testing

/// Import from S3 end to end: real `ferryd` and `ferry-worker` processes over mTLS, and a real
/// moto S3 server with authentication enforced (``MotoServer``), reached through a custom
/// endpoint with path-style addressing.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct S3EndToEndTests {
    static let bucket = "ferry-import"

    /// JSON, JSON-list and JSONL objects in nested prefixes, with objects the filter or the
    /// prefix leaves out: 1 + 3 + 4 + 1 = 9 tasks from 4 objects.
    static let objects: [(key: String, bytes: [UInt8])] = [
        ("tasks/one.json", Array(#"{"text":"one"}"#.utf8)),
        ("tasks/lists/three.json", Array(#"[{"text":"l0"},{"text":"l1"},{"text":"l2"}]"#.utf8)),
        ("tasks/nested/deeper/rows.jsonl", Array((0..<4).map { #"{"row":\#($0)}"# }.joined(separator: "\n").utf8)),
        ("tasks/nested/two words.json", Array(#"{"text":"two"}"#.utf8)),
        ("tasks/nested/notes.txt", Array("filtered out by the regex".utf8)),
        ("elsewhere/outside.json", Array(#"{"text":"outside the prefix"}"#.utf8)),
    ]

    @Test func anS3StorageImportsEveryTaskOnceThenOnlyNewObjects() async throws {
        let moto = try await MotoServer.start()
        defer { moto.stop() }
        try await moto.createBucket(Self.bucket)
        try await moto.put(bucket: Self.bucket, objects: Self.objects)
        let world = try await World(staleAfterSeconds: 10, batchSize: 100)
        defer { world.cleanUp() }
        let storage = try await Self.storage(in: world, moto: moto, secret: moto.secretAccessKey)
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
                "tasks/nested/deeper/rows.jsonl#2", "tasks/nested/deeper/rows.jsonl#3", "tasks/nested/two words.json#0",
            ])
        #expect(tasks.contains { $0.dataJSON.contains(#""text":"l2""#) }, "the list's elements are the tasks' data")

        let again = try await world.sync(storage, until: [.completed, .failed])
        #expect(again.sync?.status == .completed, "\(again.sync?.traceback ?? "")")
        #expect(again.sync?.lastSyncCount == 0)
        #expect(again.sync?.meta?.tasksExisted == 4)

        try await moto.put(bucket: Self.bucket, objects: [("tasks/nested/later.json", Array(#"{"text":"later"}"#.utf8))])
        let third = try await world.sync(storage, until: [.completed, .failed])
        #expect(third.sync?.status == .completed, "\(third.sync?.traceback ?? "")")
        #expect(third.sync?.lastSyncCount == 1)
        #expect(third.sync?.meta?.tasksExisted == 4)
        try await world.expectTasks(10)
    }

    @Test func wrongCredentialsFailTheSyncWithTheServersErrorCode() async throws {
        let moto = try await MotoServer.start()
        defer { moto.stop() }
        try await moto.createBucket(Self.bucket)
        try await moto.put(bucket: Self.bucket, objects: Self.objects)
        let world = try await World(staleAfterSeconds: 10, batchSize: 100)
        defer { world.cleanUp() }
        let storage = try await Self.storage(in: world, moto: moto, secret: "not-the-secret")
        try world.worker.start()

        let failed = try await world.sync(storage, until: [.failed, .completed])
        #expect(failed.sync?.status == .failed)
        let traceback = failed.sync?.traceback ?? ""
        #expect(traceback.contains("s3://\(Self.bucket)"), "\(traceback)")
        #expect(traceback.contains("SignatureDoesNotMatch"), "\(traceback)")
        #expect(traceback.contains("403"), "\(traceback)")
        #expect(!traceback.contains(moto.secretAccessKey) && !traceback.contains("not-the-secret"), "\(traceback)")
        #expect(try await world.taskCount() == 0)
    }

    /// A recursive import storage over `tasks/` in the bucket, taking `.json` and `.jsonl` keys.
    static func storage(in world: World, moto: MotoServer, secret: String) async throws -> Int64 {
        let request = FerryV1.CreateStorageRequest(
            spec: FerryV1.StorageSpec(
                projectID: World.projectID, title: "s3 e2e", kind: .import, provider: .s3, prefix: "tasks",
                regexFilter: #".*\.jsonl?"#, recursiveScan: true, synchronizable: true,
                s3: FerryV1.S3Location(bucket: bucket, endpointURL: moto.endpointURL, forcePathStyle: true)),
            credentials: [
                FerryV1.Secret(name: "access_key_id", value: moto.accessKeyID),
                FerryV1.Secret(name: "secret_access_key", value: secret),
            ])
        return try await world.admin { try #require(try await $0.createStorage(request).storage).id }
    }
}
