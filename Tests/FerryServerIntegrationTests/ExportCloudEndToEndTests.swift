import FerryCore
import FerryProto
import FerryProviders
import FerryTestSupport
import Foundation
import Testing

/// Export storages on S3 (moto, authentication enforced), GCS (fake-gcs-server) and Redis
/// (redis-server), run by real `ferryd` and `ferry-worker` processes: 1,000 annotated tasks are
/// written once, then only what changed, deletes follow `can_delete_objects`, and export on
/// change follows a put within five seconds.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct ExportCloudEndToEndTests {
    /// An object server started for one test, and how a storage and the test reach it.
    struct ObjectServer {
        var spec: (inout FerryV1.StorageSpec) -> Void
        var credentials: [FerryV1.Secret]
        var location: StorageLocation
        var secrets: StorageSecrets
        var stop: () -> Void

        static let bucket = "ferry-export"

        static func start(_ provider: FerryV1.StorageProvider) async throws -> ObjectServer {
            switch provider {
            case .s3:
                let moto = try await MotoServer.start()
                try await moto.createBucket(bucket)
                let secrets = ["access_key_id": moto.accessKeyID, "secret_access_key": moto.secretAccessKey]
                return ObjectServer(
                    spec: { $0.s3 = FerryV1.S3Location(bucket: bucket, endpointURL: moto.endpointURL, forcePathStyle: true) },
                    credentials: secrets.map { FerryV1.Secret(name: $0.key, value: $0.value) },
                    location: .s3(S3Location(bucket: bucket, endpointURL: moto.endpointURL, forcePathStyle: true)),
                    secrets: StorageSecrets(secrets), stop: moto.stop)
            case .gcs:
                let server = try await FakeGCSServer.start()
                try await server.createBucket(bucket)
                return ObjectServer(
                    spec: { $0.gcs = FerryV1.GCSLocation(bucket: bucket, endpointURL: server.endpointURL) },
                    credentials: [], location: .gcs(GCSLocation(bucket: bucket, endpointURL: server.endpointURL)),
                    secrets: .none, stop: server.stop)
            default:
                let server = try await RedisServerProcess.start(password: "export pass")
                return ObjectServer(
                    spec: { $0.redis = FerryV1.RedisLocation(host: "127.0.0.1", port: Int32(server.port)) },
                    credentials: [FerryV1.Secret(name: "password", value: "export pass")],
                    location: .redis(RedisLocation(host: "127.0.0.1", port: server.port)),
                    secrets: StorageSecrets(["password": "export pass"]), stop: server.stop)
            }
        }

        var target: ProviderTarget {
            ProviderTarget(location: location, prefix: "exports", recursive: true, secrets: secrets)
        }
    }

    static func key(_ task: Int64) -> String { "exports/\(task).json" }

    @Test(arguments: [FerryV1.StorageProvider.s3, .gcs, .redis])
    func anExportWritesOnceThenOnlyChangesDeletesAndFollowsPuts(provider: FerryV1.StorageProvider) async throws {
        let server = try await ObjectServer.start(provider)
        defer { server.stop() }
        let world = try await World(staleAfterSeconds: 10, batchSize: 100)
        defer { world.cleanUp() }
        let tasks = try await ExportFixture.importedTasks(world, count: 1_000)
        try await ExportFixture.put(world, tasks.map { ExportFixture.annotation(task: $0, label: "cat", updated: 100) })
        var spec = FerryV1.StorageSpec(
            projectID: World.projectID, title: "\(provider) export", kind: .export, provider: provider,
            prefix: "exports", canDeleteObjects: true, synchronizable: true)
        server.spec(&spec)
        let storage = try await world.admin {
            try #require(
                try await $0.createStorage(FerryV1.CreateStorageRequest(spec: spec, credentials: server.credentials)).storage
            ).id
        }

        let first = try await world.sync(storage, until: [.completed, .failed])
        #expect(first.sync?.status == .completed, "\(first.sync?.traceback ?? "")\n\(world.worker.log)")
        #expect(first.sync?.lastSyncCount == 1_000)
        #expect(first.sync?.meta?.totalAnnotations == 1_000)
        #expect(try await ExportFixture.keys(server.target) == Set(tasks.map(Self.key)))
        let sample = try await ExportFixture.object(server.target, key: Self.key(tasks[42]))
        #expect(sample["id"] as? Int64 == tasks[42])
        let annotations = try #require(sample["annotations"] as? [[String: Any]])
        #expect(annotations.map { $0["id"] as? Int64 } == [ExportFixture.annotationID(of: tasks[42])])

        let second = try await world.sync(storage, until: [.completed, .failed])
        #expect(second.sync?.status == .completed && second.sync?.lastSyncCount == 0, "\(second.sync?.traceback ?? "")")

        let changed = Array(tasks[200..<210])
        try await ExportFixture.put(world, changed.map { ExportFixture.annotation(task: $0, label: "dog", updated: 200) })
        let third = try await world.sync(storage, until: [.completed, .failed])
        #expect(third.sync?.status == .completed && third.sync?.lastSyncCount == 10, "\(third.sync?.traceback ?? "")")
        for task in changed {
            let object = try await ExportFixture.object(server.target, key: Self.key(task))
            #expect("\(object["annotations"] ?? "")".contains("dog"), "task \(task)")
        }

        let deleted = Array(tasks[600..<605])
        #expect(try await ExportFixture.deleteAnnotations(world, ofTasks: deleted) == 5)
        let fourth = try await world.sync(storage, until: [.completed, .failed])
        #expect(fourth.sync?.status == .completed, "\(fourth.sync?.traceback ?? "")")
        #expect(try await ExportFixture.keys(server.target) == Set(tasks.map(Self.key)).subtracting(deleted.map(Self.key)))

        // Export on change: a put shows in the location within five seconds, without a StartSync.
        _ = try await world.admin {
            try await $0.unary(
                FerryV1.Methods.StorageService.updateStorage,
                FerryV1.UpdateStorageRequest(
                    id: storage, spec: FerryV1.StorageSpec(exportOnChange: true), updateMask: ["export_on_change"]),
                as: FerryV1.UpdateStorageResponse.self)
        }
        let target = server.target
        let putAt = ContinuousClock.now
        try await ExportFixture.put(world, [ExportFixture.annotation(task: tasks[9], label: "bird", updated: 300)])
        let followed = try await waitUntil(timeout: .seconds(5), every: .milliseconds(50)) {
            let object = try? await ExportFixture.object(target, key: Self.key(tasks[9]))
            return "\(object?["annotations"] ?? "")".contains("bird")
        }
        #expect(followed && ContinuousClock.now - putAt < .seconds(5), "the object did not follow the put within 5 s")
    }
}
