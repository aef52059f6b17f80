import AsyncHTTPClient
import FerryProto
import FerryRPC
import FerryTestSupport
import NIOCore
import NIOHTTP1
import Foundation
import Testing

/// Import from S3 end to end: real `ferryd` and `ferry-worker` processes over mTLS, and a real
/// moto S3 server with authentication enforced (``MotoServer``), reached through a custom
/// endpoint with path-style addressing.
@Suite(.serialized, .timeLimit(.minutes(20)))
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

    @Test func killNineMidSyncOverTwentyThousandObjectsTimesOutAndAResyncMakesNoDuplicate() async throws {
        let moto = try await MotoServer.start()
        defer { moto.stop() }
        try await moto.createBucket(Self.bucket)
        try await moto.put(
            bucket: Self.bucket, objects: (0..<20_000).map { ("tasks/d\($0 % 20)/t\($0).json", Array(#"{"n":\#($0)}"#.utf8)) })
        let world = try await World(staleAfterSeconds: 3, batchSize: 10)
        defer { world.cleanUp() }
        let storage = try await Self.storage(in: world, moto: moto, secret: moto.secretAccessKey)
        // moto serves a few hundred GETs a second on this machine: the re-sync reads most of the 20,000.
        try await world.expectKillNineMidSyncTimesOutThenResyncCompletes(
            storage, objects: 20_000, staleAfter: 3, resyncTimeout: .seconds(720))
    }

    @Test func listTasksHandsOutPresignedURLsThatDownloadTheObject() async throws {
        // moto checks query signatures only without enforced authentication (see MotoServer).
        let moto = try await MotoServer.start(enforcingAuthentication: false)
        defer { moto.stop() }
        try await moto.createBucket(Self.bucket)
        let image: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0] + Array("a picture".utf8)
        try await moto.put(bucket: Self.bucket, objects: [("media/cat one.jpg", image)])
        let world = try await World(staleAfterSeconds: 10, batchSize: 100)
        defer { world.cleanUp() }
        let request = FerryV1.CreateStorageRequest(
            spec: FerryV1.StorageSpec(
                projectID: World.projectID, title: "s3 media", kind: .import, provider: .s3, prefix: "media",
                recursiveScan: true, useBlobURLs: true, presign: true, presignTTLMicros: 600_000_000, synchronizable: true,
                s3: FerryV1.S3Location(bucket: Self.bucket, endpointURL: moto.endpointURL, forcePathStyle: true)),
            credentials: [
                FerryV1.Secret(name: "access_key_id", value: moto.accessKeyID),
                FerryV1.Secret(name: "secret_access_key", value: moto.secretAccessKey),
            ])
        let storage = try await world.admin { try #require(try await $0.createStorage(request).storage).id }
        try world.worker.start()
        let done = try await world.sync(storage, until: [.completed, .failed])
        #expect(done.sync?.status == .completed, "\(done.sync?.traceback ?? "")")

        let task = try #require(try await world.admin { try await $0.listTasks(projectID: World.projectID) }.first)
        let data = try #require(try JSONSerialization.jsonObject(with: Data(task.dataJSON.utf8)) as? [String: String])
        let url = try #require(data["url"])
        #expect(url.hasPrefix("\(moto.endpointURL)/\(Self.bucket)/media/cat%20one.jpg?"), "\(url)")
        #expect(url.contains("X-Amz-Expires=600") && url.contains("X-Amz-Signature="), "\(url)")
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
        #expect(response.status == .ok)
        let body = try await response.body.collect(upTo: 1 << 20)
        #expect(Array(body.readableBytesView) == image)
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
