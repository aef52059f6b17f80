import FerryProto
import FerryRPC
import FerryTestSupport
import Foundation
import Testing

/// Dataset storages end to end: real `ferryd` and `ferry-worker` processes over mTLS, local files
/// and moto S3. A complete listing catalogues every object and marks deleted exactly the ones it
/// no longer sees; a listing that ends early marks nothing deleted.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct DatasetEndToEndTests {
    @Test func tenThousandObjectsThenAHundredDeletedAndTenChanged() async throws {
        let world = try await World(staleAfterSeconds: 10, batchSize: 1_000)
        defer { world.cleanUp() }
        let storage = try await world.storage(files: 10_000, kind: .dataset)
        try world.worker.start()

        let first = try await world.sync(storage, until: [.completed, .failed])
        #expect(first.sync?.status == .completed, "\(first.sync?.traceback ?? "")")
        #expect(first.sync?.lastSyncCount == 10_000)
        #expect(first.sync?.meta?.objectsScanned == 10_000)
        let catalogued = try await world.catalogue(storage)
        #expect(catalogued.count == 10_000)
        #expect(catalogued.values.allSatisfy { $0.deletedUnixMicros == 0 && !($0.object?.etag ?? "").isEmpty })
        let sample = try #require(catalogued[World.fileKey(7)]?.object)
        #expect(sample.size == Int64(#"{"text":"task 7"}"#.utf8.count))
        #expect(sample.lastModifiedUnixMicros > 0)

        let deleted = Array(0..<100)
        let changed = Array(100..<110)
        for index in deleted { try FileManager.default.removeItem(atPath: world.filePath(index)) }
        for index in changed {
            try Data(#"{"text":"task \#(index), changed"}"#.utf8).write(to: URL(fileURLWithPath: world.filePath(index)))
        }

        let second = try await world.sync(storage, until: [.completed, .failed])
        #expect(second.sync?.status == .completed, "\(second.sync?.traceback ?? "")")
        #expect(second.sync?.lastSyncCount == 10, "exactly the changed objects are rewritten")
        #expect(second.sync?.meta?.tasksExisted == 9_890, "the others are unchanged")
        #expect(second.sync?.meta?.objectsScanned == 9_900)
        let after = try await world.catalogue(storage)
        #expect(after.count == 10_000)
        let tombstoned = Set(after.filter { $0.value.deletedUnixMicros > 0 }.keys)
        #expect(tombstoned == Set(deleted.map(World.fileKey)))
        for index in changed {
            let entry = try #require(after[World.fileKey(index)])
            #expect(entry.object?.size == Int64(#"{"text":"task \#(index), changed"}"#.utf8.count))
            #expect(entry.updatedUnixMicros > (catalogued[World.fileKey(index)]?.updatedUnixMicros ?? .max))
        }
        #expect(after[World.fileKey(500)]?.updatedUnixMicros == catalogued[World.fileKey(500)]?.updatedUnixMicros)
        let live = try await world.admin { try await $0.datasetObjects(storage) }
        #expect(live.count == 9_900)

        let listed = try await world.ferryctl(["dataset", "list", "--storage", "\(storage)", "--prefix", "nested/d3/", "-o", "json"])
        let reply = try #require(try JSONSerialization.jsonObject(with: Data(listed.utf8)) as? [String: Any])
        let rows = try #require(reply["objects"] as? [[String: Any]], "\(listed)")
        #expect(rows.count == 495, "nested/d3/ holds 500 files, 5 of them deleted")
    }

    @Test func aScanKilledMidwayMarksNothingDeletedAndTheNextOneDoes() async throws {
        let stale = 3.0
        let world = try await World(staleAfterSeconds: stale, batchSize: 5)
        defer { world.cleanUp() }
        let storage = try await world.storage(files: 3_000, kind: .dataset)
        try world.worker.start()
        let first = try await world.sync(storage, until: [.completed, .failed], timeout: .seconds(300))
        #expect(first.sync?.status == .completed, "\(first.sync?.traceback ?? "")")

        // Every file changes, so each batch of the next scan commits visibly; 100 go away.
        for index in 0..<100 { try FileManager.default.removeItem(atPath: world.filePath(index)) }
        for index in 100..<3_000 {
            try Data(#"{"text":"task \#(index) again"}"#.utf8).write(to: URL(fileURLWithPath: world.filePath(index)))
        }
        _ = try await world.admin { try await $0.startSync(storage) }
        let moved = try await waitUntil(timeout: .seconds(60), every: .milliseconds(5)) {
            ((try? await world.admin { try await $0.listed(storage) })?.sync?.lastSyncCount ?? 0) > 0
        }
        try #require(moved, "no progress; worker log:\n\(world.worker.log)")
        world.worker.kill9()

        let failed = try await world.waitForStatus(storage, in: [.failed, .completed], timeout: .seconds(60))
        #expect(failed.sync?.status == .failed, "the scan finished before the kill")
        #expect(failed.sync?.meta?.terminationReason == .heartbeatTimeout)
        #expect((failed.sync?.lastSyncCount ?? 0) < 2_900)
        let afterKill = try await world.catalogue(storage)
        #expect(afterKill.values.filter { $0.deletedUnixMicros > 0 }.isEmpty, "an interrupted scan marks nothing deleted")

        try world.worker.start()
        let third = try await world.sync(storage, until: [.completed, .failed], timeout: .seconds(300))
        #expect(third.sync?.status == .completed, "\(third.sync?.traceback ?? "")")
        let final = try await world.catalogue(storage)
        #expect(Set(final.filter { $0.value.deletedUnixMicros > 0 }.keys) == Set((0..<100).map(World.fileKey)))
    }

    @Test func anS3DatasetCataloguesEveryObjectWithItsMetadata() async throws {
        let bucket = "ferry-dataset"
        let moto = try await MotoServer.start()
        defer { moto.stop() }
        try await moto.createBucket(bucket)
        let objects = (0..<300).map {
            (key: "images/d\($0 % 7)/img\($0).bin", bytes: Array(repeating: UInt8($0 % 251), count: $0 + 1))
        }
        try await moto.put(bucket: bucket, objects: objects + [(key: "other/skip.bin", bytes: [1, 2, 3])])
        let world = try await World(staleAfterSeconds: 10, batchSize: 100)
        defer { world.cleanUp() }
        let request = FerryV1.CreateStorageRequest(
            spec: FerryV1.StorageSpec(
                projectID: World.projectID, title: "s3 dataset", kind: .dataset, provider: .s3, prefix: "images",
                regexFilter: #"images/.*\.bin"#, recursiveScan: true, synchronizable: true,
                s3: FerryV1.S3Location(bucket: bucket, endpointURL: moto.endpointURL, forcePathStyle: true)),
            credentials: [
                FerryV1.Secret(name: "access_key_id", value: moto.accessKeyID),
                FerryV1.Secret(name: "secret_access_key", value: moto.secretAccessKey),
            ])
        let storage = try await world.admin { try #require(try await $0.createStorage(request).storage).id }
        try world.worker.start()

        let done = try await world.sync(storage, until: [.completed, .failed])
        #expect(done.sync?.status == .completed, "\(done.sync?.traceback ?? "")")
        #expect(done.sync?.lastSyncCount == 300)
        #expect(done.sync?.meta?.objectsScanned == 300)
        let catalogue = try await world.catalogue(storage)
        #expect(catalogue.count == 300)
        for (key, bytes) in objects {
            let object = try #require(catalogue[key]?.object, "\(key) not catalogued")
            #expect(object.size == Int64(bytes.count))
            #expect(!object.etag.isEmpty && !object.etag.contains("\""))
            #expect(object.lastModifiedUnixMicros > 0)
        }
        #expect(catalogue["other/skip.bin"] == nil)

        let again = try await world.sync(storage, until: [.completed, .failed])
        #expect(again.sync?.lastSyncCount == 0)
        #expect(again.sync?.meta?.tasksExisted == 300)
    }
}
