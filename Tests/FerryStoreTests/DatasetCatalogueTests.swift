import FerryCore
import Foundation
import Testing

@testable import FerryStore

/// The dataset catalogue's rules: a batch is classified inserted / updated / unchanged, an
/// unchanged object is only marked seen, a tombstoned object that reappears is revived, and only
/// a complete, uncancelled listing under a current lease tombstones what it did not see.
@Suite("Dataset catalogue")
struct DatasetCatalogueTests {
    static func object(_ key: String, size: Int64 = 10, etag: String = "e1") -> DatasetObjectMetadata {
        DatasetObjectMetadata(
            key: key, size: size, etag: etag, lastModified: Fixture.t0, contentType: "application/json")
    }

    /// A dataset storage's next sync, claimed: the lease.
    static func nextScan(_ store: some FerryStore, storageID: Int64, job: String) async throws -> JobLease {
        _ = try await store.startSync(storageID: storageID, options: .default, now: Fixture.t0, jobID: job)
        let claim = try #require(
            try await store.claimJob(
                workerID: "worker-a", instanceID: "inst-1", kinds: [], providers: [], now: Fixture.t0,
                leaseToken: "lease-\(job)"))
        return claim.lease
    }

    static func finish(_ store: some FerryStore, _ lease: JobLease, _ outcome: SyncOutcome = .completed) async throws {
        _ = try await store.completeJob(lease: lease, outcome: outcome, counters: nil, now: Fixture.t0)
    }

    static func live(_ store: some FerryStore, _ storageID: Int64) async throws -> [String] {
        try await store.listDatasetObjects(DatasetObjectQuery(storageID: storageID, pageSize: 5_000)).objects
            .map(\.metadata.key)
    }

    @Test("a first scan inserts; a rescan counts unchanged, updated, revived, and tombstones the unseen", arguments: StoreKind.allCases)
    func rescanClassifiesAndTombstones(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let (storage, first) = try await Fixture.runningJob(store, kind: .dataset, job: "scan-1")
            let inserted = try await store.upsertDatasetObjects(
                lease: first.lease, objects: ["a", "b", "c", "d"].map { Self.object($0) },
                checkpoint: SyncCheckpoint(lastKey: "d", state: [], updatedAt: Fixture.t0), now: Fixture.t0)
            #expect(inserted == DatasetUpsertResult(inserted: 4, updated: 0, unchanged: 0))
            #expect(try await store.completeDatasetScan(lease: first.lease, listingComplete: true, now: Fixture.t0) == 0)
            try await Self.finish(store, first.lease)
            #expect(try await store.storage(id: storage.id).syncInfo.lastSyncCount == 4)
            #expect(try await store.job(id: "scan-1")?.checkpoint?.lastKey == "d")

            // Second scan: a unchanged, b changed (etag), c changed (size), d gone.
            let later = Fixture.t0 + .seconds(60)
            let second = try await Self.nextScan(store, storageID: storage.id, job: "scan-2")
            let rescan = try await store.upsertDatasetObjects(
                lease: second, objects: [Self.object("a"), Self.object("b", etag: "e2"), Self.object("c", size: 11)],
                checkpoint: nil, now: later)
            #expect(rescan == DatasetUpsertResult(inserted: 0, updated: 2, unchanged: 1))
            #expect(try await store.completeDatasetScan(lease: second, listingComplete: true, now: later) == 1)
            try await Self.finish(store, second)
            #expect(try await store.storage(id: storage.id).syncInfo.lastSyncCount == 2)
            #expect(try await Self.live(store, storage.id) == ["a", "b", "c"])

            let all = try await store.listDatasetObjects(DatasetObjectQuery(storageID: storage.id, includeDeleted: true))
            let byKey = Dictionary(uniqueKeysWithValues: all.objects.map { ($0.metadata.key, $0) })
            #expect(byKey["a"]?.updatedAt == Fixture.t0, "an unchanged object is not rewritten")
            #expect(byKey["b"]?.updatedAt == later)
            #expect(byKey["b"]?.metadata.etag == "e2")
            #expect(byKey["c"]?.metadata.size == 11)
            #expect(byKey["d"]?.deletedAt == later)

            // Third scan: d reappears (revived, counted as inserted); nothing else is lost.
            let third = try await Self.nextScan(store, storageID: storage.id, job: "scan-3")
            let revived = try await store.upsertDatasetObjects(
                lease: third, objects: ["a", "b", "c", "d"].map { Self.object($0, etag: $0 == "a" ? "e1" : "e9") },
                checkpoint: nil, now: later + .seconds(60))
            #expect(revived == DatasetUpsertResult(inserted: 1, updated: 2, unchanged: 1))
            #expect(try await store.completeDatasetScan(lease: third, listingComplete: true, now: later) == 0)
            let d = try await store.listDatasetObjects(DatasetObjectQuery(storageID: storage.id, prefix: "d"))
            #expect(d.objects.map(\.metadata.key) == ["d"])
            #expect(d.objects.first?.deletedAt == nil)
            #expect(d.objects.first?.firstSeenAt == later + .seconds(60))
        }
    }

    @Test("a failed, cancelled or incomplete scan tombstones nothing", arguments: StoreKind.allCases)
    func unfinishedScansTombstoneNothing(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let (storage, first) = try await Fixture.runningJob(store, kind: .dataset, job: "scan-1")
            _ = try await store.upsertDatasetObjects(
                lease: first.lease, objects: (0..<10).map { Self.object("k\($0)") }, checkpoint: nil, now: Fixture.t0)
            try await Self.finish(store, first.lease)

            // An incomplete listing: nothing tombstoned, and the scan then fails.
            let second = try await Self.nextScan(store, storageID: storage.id, job: "scan-2")
            _ = try await store.upsertDatasetObjects(
                lease: second, objects: [Self.object("k0")], checkpoint: nil, now: Fixture.t0)
            #expect(try await store.completeDatasetScan(lease: second, listingComplete: false, now: Fixture.t0) == 0)
            try await Self.finish(store, second, .failed(traceback: "listing failed"))
            // A failed scan's lease cannot tombstone afterwards either.
            await expectStoreError(.leaseNotCurrent) {
                _ = try await store.completeDatasetScan(lease: second, listingComplete: true, now: Fixture.t0)
            }

            // A cancel-requested scan: a complete listing still tombstones nothing.
            let third = try await Self.nextScan(store, storageID: storage.id, job: "scan-3")
            _ = try await store.upsertDatasetObjects(
                lease: third, objects: [Self.object("k1")], checkpoint: nil, now: Fixture.t0)
            _ = try await store.requestCancel(storageID: storage.id, reason: "test", now: Fixture.t0)
            #expect(try await store.completeDatasetScan(lease: third, listingComplete: true, now: Fixture.t0) == 0)
            try await Self.finish(store, third, .cancelled)

            #expect(try await Self.live(store, storage.id).count == 10)
        }
    }

    @Test("a fenced lease writes nothing", arguments: StoreKind.allCases)
    func fencedLeaseWritesNothing(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let (storage, first) = try await Fixture.runningJob(store, kind: .dataset, job: "scan-1")
            _ = try await store.upsertDatasetObjects(
                lease: first.lease, objects: [Self.object("kept")], checkpoint: nil, now: Fixture.t0)
            try await Self.finish(store, first.lease)
            let second = try await Self.nextScan(store, storageID: storage.id, job: "scan-2")
            _ = try await store.upsertDatasetObjects(lease: second, objects: [], checkpoint: nil, now: Fixture.t0)

            // The first scan's worker comes back as a zombie.
            await expectStoreError(.leaseNotCurrent) {
                _ = try await store.upsertDatasetObjects(
                    lease: first.lease, objects: [Self.object("zombie"), Self.object("kept", etag: "x")],
                    checkpoint: nil, now: Fixture.t0)
            }
            await expectStoreError(.leaseNotCurrent) {
                _ = try await store.completeDatasetScan(lease: first.lease, listingComplete: true, now: Fixture.t0)
            }
            let all = try await store.listDatasetObjects(DatasetObjectQuery(storageID: storage.id, includeDeleted: true))
            #expect(all.objects.map(\.metadata.key) == ["kept"])
            #expect(all.objects.first?.metadata.etag == "e1")
            #expect(all.objects.first?.deletedAt == nil)
            #expect(try await store.storage(id: storage.id).syncInfo.lastSyncCount == 0)
        }
    }

    @Test("an import job cannot catalogue; an import storage has no catalogue", arguments: StoreKind.allCases)
    func onlyDatasetJobsAndStorages(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let (storage, claim) = try await Fixture.runningJob(store, kind: .import)
            await expectStoreError(.invalidArgument) {
                _ = try await store.upsertDatasetObjects(
                    lease: claim.lease, objects: [Self.object("a")], checkpoint: nil, now: Fixture.t0)
            }
            await expectStoreError(.invalidArgument) {
                _ = try await store.listDatasetObjects(DatasetObjectQuery(storageID: storage.id))
            }
            await expectStoreError(.notFound) {
                _ = try await store.listDatasetObjects(DatasetObjectQuery(storageID: 999))
            }
        }
    }

    @Test("the catalogue pages by key under a prefix; a repeated key counts once; rows go with their storage", arguments: StoreKind.allCases)
    func pagingPrefixesAndDeletion(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let (storage, claim) = try await Fixture.runningJob(store, kind: .dataset)
            let keys = (0..<25).map { "in/\($0 < 10 ? "a" : "b")/\(String(format: "%02d", $0))" }
            let result = try await store.upsertDatasetObjects(
                lease: claim.lease, objects: keys.map { Self.object($0) } + [Self.object(keys[0], etag: "again")],
                checkpoint: nil, now: Fixture.t0)
            #expect(result == DatasetUpsertResult(inserted: 25, updated: 0, unchanged: 0))

            var query = DatasetObjectQuery(storageID: storage.id, prefix: "in/b/", pageSize: 4)
            var listed: [String] = []
            var pages = 0
            repeat {
                let page = try await store.listDatasetObjects(query)
                listed += page.objects.map(\.metadata.key)
                query.afterKey = page.nextAfterKey
                pages += 1
            } while query.afterKey != nil
            #expect(listed == Array(keys[10...]))
            #expect(pages == 4)
            let first = try await store.listDatasetObjects(DatasetObjectQuery(storageID: storage.id, prefix: keys[0]))
            #expect(first.objects.first?.metadata.etag == "again")
            #expect(first.objects.first?.metadata.contentType == "application/json")
            #expect(first.objects.first?.metadata.lastModified == Fixture.t0)

            try await Self.finish(store, claim.lease, .cancelled)
            _ = try await store.deleteStorage(id: storage.id, force: true)
            #expect(try await store.sqlStrings("SELECT COUNT(*) FROM dataset_objects") == ["0"])
        }
    }
}
