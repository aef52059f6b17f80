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

    @Test func anS3StorageImportsEveryTaskOnceThenOnlyNewObjects() async throws {
        let moto = try await MotoServer.start()
        defer { moto.stop() }
        try await moto.createBucket(Self.bucket)
        try await moto.put(bucket: Self.bucket, objects: CloudImportFixture.objects)
        let world = try await World(staleAfterSeconds: 10, batchSize: 100)
        defer { world.cleanUp() }
        let storage = try await Self.storage(in: world, moto: moto, secret: moto.secretAccessKey)
        try world.worker.start()

        try await CloudImportFixture.expectFirstSyncImportsEveryTask(world, storage)

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
        try await moto.put(bucket: Self.bucket, objects: CloudImportFixture.objects)
        let world = try await World(staleAfterSeconds: 10, batchSize: 100)
        defer { world.cleanUp() }
        let storage = try await Self.storage(in: world, moto: moto, secret: "not-the-secret")
        try world.worker.start()

        try await CloudImportFixture.expectSyncRefused(
            world, storage, subject: "s3://\(Self.bucket)", code: "SignatureDoesNotMatch",
            secrets: [moto.secretAccessKey, "not-the-secret"])
    }

    /// A recursive import storage over `tasks/` in the bucket, taking `.json` and `.jsonl` keys.
    static func storage(in world: World, moto: MotoServer, secret: String) async throws -> Int64 {
        let request = FerryV1.CreateStorageRequest(
            spec: FerryV1.StorageSpec(
                projectID: World.projectID, title: "s3 e2e", kind: .import, provider: .s3, prefix: CloudImportFixture.prefix,
                regexFilter: CloudImportFixture.regexFilter, recursiveScan: true, synchronizable: true,
                s3: FerryV1.S3Location(bucket: bucket, endpointURL: moto.endpointURL, forcePathStyle: true)),
            credentials: [
                FerryV1.Secret(name: "access_key_id", value: moto.accessKeyID),
                FerryV1.Secret(name: "secret_access_key", value: secret),
            ])
        return try await world.admin { try #require(try await $0.createStorage(request).storage).id }
    }
}
