import FerryProto
import FerryRPC
import FerryTestSupport
import Foundation
import Testing

/// Import from GCS end to end: real `ferryd` and `ferry-worker` processes over mTLS, and a real
/// fake-gcs-server (``FakeGCSServer``) reached over its JSON API at a custom endpoint, without
/// credentials (fake-gcs-server takes requests without a token).
@Suite(.serialized, .timeLimit(.minutes(20)))
struct GCSEndToEndTests {
    static let bucket = "ferry-gcs-import"

    /// Under `scans/`: a JSON object, a JSON list of 2, JSONL of 3 rows, a name with a space and
    /// a plus; beside them a file the filter skips and an object outside the prefix. 7 tasks
    /// from 4 objects.
    static let seeded: [(key: String, bytes: [UInt8])] = [
        ("scans/first.json", Array(#"{"image":"first"}"#.utf8)),
        ("scans/batch/pair.json", Array(#"[{"image":"p0"},{"image":"p1"}]"#.utf8)),
        ("scans/batch/2026/05/rows.jsonl", Array((0..<3).map { #"{"image":"r\#($0)"}"# }.joined(separator: "\n").utf8)),
        ("scans/batch/a b+c.json", Array(#"{"image":"spaced"}"#.utf8)),
        ("scans/batch/readme.md", Array("skipped by the regex filter".utf8)),
        ("other/ignored.json", Array(#"{"image":"outside the prefix"}"#.utf8)),
    ]

    /// A recursive import storage over `scans/` of `bucket` on the server, taking `.json` and
    /// `.jsonl` keys.
    static func importStorage(in world: World, server: FakeGCSServer, bucket: String = bucket) async throws -> Int64 {
        let request = FerryV1.CreateStorageRequest(
            spec: FerryV1.StorageSpec(
                projectID: World.projectID, title: "gcs import", kind: .import, provider: .gcs, prefix: "scans",
                regexFilter: #".*\.jsonl?"#, recursiveScan: true, synchronizable: true,
                gcs: FerryV1.GCSLocation(bucket: bucket, endpointURL: server.endpointURL)))
        return try await world.admin { try #require(try await $0.createStorage(request).storage).id }
    }

    /// The bucket is filled before the server starts (its filesystem backend).
    @Test func killNineMidSyncOverTwentyThousandObjectsTimesOutAndAResyncMakesNoDuplicate() async throws {
        let server = try await FakeGCSServer.start(
            bucket: Self.bucket, objects: (0..<20_000).map { ("scans/d\($0 % 20)/t\($0).json", Array(#"{"n":\#($0)}"#.utf8)) })
        defer { server.stop() }
        let world = try await World(staleAfterSeconds: 3, batchSize: 10)
        defer { world.cleanUp() }
        let storage = try await Self.importStorage(in: world, server: server)
        try await world.expectKillNineMidSyncTimesOutThenResyncCompletes(
            storage, objects: 20_000, staleAfter: 3, resyncTimeout: .seconds(600))
    }

    @Test func aGCSStorageImportsEachTaskOnceAndLaterOnlyTheNewObject() async throws {
        let server = try await FakeGCSServer.start()
        defer { server.stop() }
        try await server.createBucket(Self.bucket)
        try await server.put(bucket: Self.bucket, objects: Self.seeded)
        let world = try await World(staleAfterSeconds: 10, batchSize: 100)
        defer { world.cleanUp() }
        let storage = try await Self.importStorage(in: world, server: server)
        try world.worker.start()

        let first = try await world.sync(storage, until: [.completed, .failed])
        #expect(first.sync?.status == .completed, "\(first.sync?.traceback ?? "")\n\(world.worker.log)")
        #expect(first.sync?.lastSyncCount == 7)
        #expect(first.sync?.meta?.objectsScanned == 4)
        let tasks = try await world.admin { try await $0.listTasks(projectID: World.projectID) }
        let sources = Set(tasks.flatMap { task in task.sources.map { "\($0.key)#\($0.rowIndex)" } })
        let expected: Set<String> = [
            "scans/first.json#0", "scans/batch/pair.json#0", "scans/batch/pair.json#1",
            "scans/batch/2026/05/rows.jsonl#0", "scans/batch/2026/05/rows.jsonl#1", "scans/batch/2026/05/rows.jsonl#2",
            "scans/batch/a b+c.json#0",
        ]
        #expect(sources == expected)
        #expect(tasks.contains { $0.dataJSON.contains(#""image":"r2""#) }, "each JSONL row is a task's data")

        let resync = try await world.sync(storage, until: [.completed, .failed])
        #expect(resync.sync?.status == .completed, "\(resync.sync?.traceback ?? "")")
        #expect(resync.sync?.lastSyncCount == 0)

        try await server.put(bucket: Self.bucket, objects: [("scans/batch/late.json", Array(#"{"image":"late"}"#.utf8))])
        let afterUpload = try await world.sync(storage, until: [.completed, .failed])
        #expect(afterUpload.sync?.status == .completed, "\(afterUpload.sync?.traceback ?? "")")
        #expect(afterUpload.sync?.lastSyncCount == 1)
        try await world.expectTasks(8)
    }

    @Test func aMissingBucketFailsTheSyncNamingTheBucketAndTheServersAnswer() async throws {
        let server = try await FakeGCSServer.start()
        defer { server.stop() }
        let world = try await World(staleAfterSeconds: 10, batchSize: 100)
        defer { world.cleanUp() }
        let storage = try await Self.importStorage(in: world, server: server, bucket: "no-such-bucket")
        try world.worker.start()

        let failed = try await world.sync(storage, until: [.failed, .completed])
        #expect(failed.sync?.status == .failed)
        let traceback = failed.sync?.traceback ?? ""
        #expect(traceback.contains("gs://no-such-bucket: GCS answered 404: Not Found (Not Found)"), "\(traceback)")
        #expect(try await world.taskCount() == 0)
    }
}
