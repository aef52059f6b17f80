import FerryCore
import Testing

@testable import FerryStore

/// ``FerryStore/recordProgress(_:)``: several heartbeats in one call, each fenced and stepped as a
/// single one is, the refused ones writing nothing — on both stores, and through the lease cache.
@Suite("Progress batches")
struct ProgressBatchTests {
    @Test("each report is fenced alone: the current ones land, the refused ones change nothing", arguments: StoreKind.allCases)
    func mixedBatch(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let (first, one) = try await Fixture.runningJob(store, job: "job-1")
            let (second, two) = try await Fixture.runningJob(store, worker: "worker-b", job: "job-2")
            let (third, three) = try await Fixture.runningJob(store, worker: "worker-c", job: "job-3")
            let (fourth, four) = try await Fixture.runningJob(store, worker: "worker-d", job: "job-4")
            _ = try await store.requestCancel(storageID: second.id, reason: "operator", now: Fixture.t0 + .seconds(1))
            var forged = three.lease
            forged.token = "not-the-lease"
            let unknown = JobLease(jobID: "job-x", token: "lease-job-x", workerID: "worker-a", instanceID: "inst-1")
            let later = Fixture.t0 + .seconds(10)
            let checkpoint = SyncCheckpoint(lastKey: "k/7.json", state: [7])

            let results = try await store.recordProgress([
                ProgressReport(lease: one.lease, counters: SyncCounters(synced: 5, objectsScanned: 9), checkpoint: checkpoint, time: later),
                ProgressReport(lease: two.lease, counters: SyncCounters(synced: 1), checkpoint: nil, time: later),
                ProgressReport(lease: forged, counters: SyncCounters(synced: 3), checkpoint: checkpoint, time: later),
                ProgressReport(lease: four.lease, counters: SyncCounters(synced: -1), checkpoint: nil, time: later),
                ProgressReport(lease: unknown, counters: .zero, checkpoint: nil, time: later),
            ])

            #expect(results.count == 5)
            let landed = try results[0].get()
            #expect(landed.syncInfo.meta.timeLastPing == later)
            #expect(!landed.cancelRequested)
            #expect(try results[1].get().cancelRequested, "a cancel request reaches its job's heartbeat")
            #expect(failure(results[2]) == .leaseNotCurrent)
            #expect(failure(results[3]) == .invalidArgument)
            #expect(failure(results[4]) == .leaseNotCurrent)

            #expect(try await store.storage(id: first.id).syncInfo == landed.syncInfo)
            #expect(try await store.storage(id: second.id).syncInfo.meta.timeLastPing == later)
            let job = try #require(try await store.job(id: one.job.id))
            #expect(job.lastProgressAt == later)
            #expect(job.checkpoint == SyncCheckpoint(lastKey: "k/7.json", state: [7], updatedAt: later))
            for (storage, claim) in [(third, three), (fourth, four)] {
                #expect(try await store.storage(id: storage.id).syncInfo == claim.storage.syncInfo, "refused: unchanged")
                let untouched = try #require(try await store.job(id: claim.job.id))
                #expect(untouched.lastProgressAt == Fixture.t0)
                #expect(untouched.checkpoint == nil)
            }
            #expect(try await store.recordProgress([]).isEmpty)
        }
    }

    @Test("a batch as large as the server sends lands whole", arguments: StoreKind.allCases)
    func largeBatch(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            var claims: [ClaimedJob] = []
            for index in 0..<40 {
                claims.append(try await Fixture.runningJob(store, worker: "worker-\(index)", job: "job-\(index)").claim)
            }
            let later = Fixture.t0 + .seconds(5)
            let reports = claims.enumerated().map { index, claim in
                ProgressReport(lease: claim.lease, counters: SyncCounters(synced: Int64(index)), checkpoint: nil, time: later)
            }
            let results = try await store.recordProgress(reports)
            #expect(results.allSatisfy { (try? $0.get())?.syncInfo.meta.timeLastPing == later })
            for claim in claims {
                #expect(try await store.job(id: claim.job.id)?.lastProgressAt == later)
                #expect(try await store.storage(id: claim.storage.id).syncInfo.meta.timeLastPing == later)
            }
        }
    }

    @Test("through the lease cache, a landed report keeps its lease and a refused one drops it", arguments: StoreKind.allCases)
    func leaseCache(_ kind: StoreKind) async throws {
        try await withStore(kind) { base in
            let store = LeaseCachingStore(base)
            let (_, one) = try await Fixture.runningJob(store, job: "job-1")
            let (second, two) = try await Fixture.runningJob(store, worker: "worker-b", job: "job-2")
            // Settled behind the cache's back (another replica, say): the cache still believes in it.
            _ = try await base.completeJob(lease: two.lease, outcome: .completed, counters: nil, now: Fixture.t0 + .seconds(1))
            #expect(store.cachedCancelRequested(for: two.lease) == false)

            let results = try await store.recordProgress([
                ProgressReport(lease: one.lease, counters: .zero, checkpoint: nil, time: Fixture.t0 + .seconds(2)),
                ProgressReport(lease: two.lease, counters: .zero, checkpoint: nil, time: Fixture.t0 + .seconds(2)),
            ])
            #expect((try? results[0].get()) != nil)
            #expect(failure(results[1]) == .leaseNotCurrent)
            #expect(store.cachedCancelRequested(for: one.lease) == false)
            #expect(store.cachedCancelRequested(for: two.lease) == nil)
            #expect(try await store.storage(id: second.id).syncInfo.status == .completed)
        }
    }

    private func failure(_ result: Result<ProgressResult, StoreError>) -> StoreError.Code? {
        guard case .failure(let error) = result else { return nil }
        return error.code
    }
}
