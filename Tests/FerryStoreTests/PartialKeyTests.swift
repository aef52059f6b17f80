import FerryCore
import Testing

@testable import FerryStore

/// A key is complete only once all its rows are in: a file split across batches stays new to
/// newImportKeys until the batch with its last row is stored, so a re-sync after a sync that
/// ended between two of its batches imports exactly the rows that are missing.
@Suite("Partial import keys")
struct PartialKeyTests {
    @Test("a split key stays new until its last batch; a re-sync links only the missing rows", arguments: StoreKind.allCases)
    func splitKeyCompletesWithItsLastBatch(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let (storage, first) = try await Fixture.runningJob(store, job: "job-1")
            let rows = Fixture.tasks("big.json", rows: 10)
            let one = try await store.importTasks(
                lease: first.lease, tasks: Array(rows[0..<4]) + Fixture.tasks("small.json", rows: 2),
                partialKeys: ["big.json"], checkpoint: nil, now: Fixture.t0)
            #expect(one.inserted == 6)
            #expect(try await store.newImportKeys(lease: first.lease, keys: ["big.json", "small.json"]) == ["big.json"])
            _ = try await store.importTasks(
                lease: first.lease, tasks: Array(rows[4..<7]), partialKeys: ["big.json"], checkpoint: nil, now: Fixture.t0)
            #expect(try await store.newImportKeys(lease: first.lease, keys: ["big.json"]) == ["big.json"])

            // The sync dies here, between two batches of big.json.
            _ = try await store.completeJob(
                lease: first.lease, outcome: .failed(traceback: "worker killed"), counters: nil, now: Fixture.t0)
            _ = try await store.startSync(storageID: storage.id, options: .default, now: Fixture.t0, jobID: "job-2")
            let second = try #require(
                try await store.claimJob(
                    workerID: "worker-b", instanceID: "inst-2", kinds: [], providers: [], now: Fixture.t0,
                    leaseToken: "lease-job-2"))

            #expect(try await store.newImportKeys(lease: second.lease, keys: ["small.json", "big.json"]) == ["big.json"])
            let again = try await store.importTasks(
                lease: second.lease, tasks: Array(rows[0..<5]), partialKeys: ["big.json"], checkpoint: nil,
                now: Fixture.t0)
            #expect(again.existed.map(\.rowIndex) == [0, 1, 2, 3, 4])
            #expect(again.created.isEmpty)
            let last = try await store.importTasks(
                lease: second.lease, tasks: Array(rows[5...]), partialKeys: [], checkpoint: nil, now: Fixture.t0)
            #expect(last.existed.map(\.rowIndex) == [5, 6])
            #expect(last.created.map(\.rowIndex) == [7, 8, 9])
            #expect(try await store.newImportKeys(lease: second.lease, keys: ["small.json", "big.json"]).isEmpty)
            #expect(try await store.taskCount(projectID: 1) == 12)
        }
    }

    @Test("a batch without partial keys completes its keys; partial records go with their storage", arguments: StoreKind.allCases)
    func completionAndDeletion(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let (storage, claim) = try await Fixture.runningJob(store)
            _ = try await store.importTasks(
                lease: claim.lease, tasks: Fixture.tasks("a.json", rows: 2), partialKeys: ["a.json"], checkpoint: nil,
                now: Fixture.t0)
            // Rows already linked, sent again without the key as partial: the key is complete.
            let repeated = try await store.importTasks(
                lease: claim.lease, tasks: Fixture.tasks("a.json", rows: 2), checkpoint: nil, now: Fixture.t0)
            #expect(repeated.existedCount == 2)
            #expect(try await store.newImportKeys(lease: claim.lease, keys: ["a.json"]).isEmpty)

            _ = try await store.importTasks(
                lease: claim.lease, tasks: Fixture.tasks("b.json", rows: 1), partialKeys: ["b.json"], checkpoint: nil,
                now: Fixture.t0)
            #expect(try await store.sqlStrings("SELECT key FROM partial_import_keys") == ["b.json"])
            _ = try await store.completeJob(lease: claim.lease, outcome: .cancelled, counters: nil, now: Fixture.t0)
            _ = try await store.deleteStorage(id: storage.id, force: true)
            #expect(try await store.sqlStrings("SELECT key FROM partial_import_keys").isEmpty)
        }
    }
}
