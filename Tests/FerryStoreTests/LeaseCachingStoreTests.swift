import FerryCore
import Synchronization
import Testing

@testable import FerryStore

/// ``LeaseCachingStore`` over a real store of each kind: every call that claims, settles, cancels or
/// removes a job keeps the cache true without anyone invalidating it.
@Suite("Lease caching store")
struct LeaseCachingStoreTests {
    /// The jobs a caching store reported ended, in order.
    final class EndedJobs: Sendable {
        private let ids = Mutex<[String]>([])
        func append(_ id: String) { ids.withLock { $0.append(id) } }
        var all: [String] { ids.withLock { $0 } }
    }

    /// Runs `body` with a caching store over a fresh store of `kind`, and the jobs it reported ended.
    func withCachingStore(_ kind: StoreKind, _ body: (LeaseCachingStore, EndedJobs) async throws -> Void) async throws {
        try await withStore(kind) { base in
            let ended = EndedJobs()
            let store = LeaseCachingStore(base) { ended.append($0) }
            try await body(store, ended)
        }
    }

    @Test("a claim caches its lease for its holder only; a cancel request reaches the cached lease", arguments: StoreKind.allCases)
    func claimAndCancel(_ kind: StoreKind) async throws {
        try await withCachingStore(kind) { store, ended in
            let (storage, claim) = try await Fixture.runningJob(store)
            #expect(store.cachedCancelRequested(for: claim.lease) == false)
            var otherProcess = claim.lease
            otherProcess.instanceID = "inst-2"
            #expect(store.cachedCancelRequested(for: otherProcess) == nil)
            _ = try await store.requestCancel(storageID: storage.id, reason: "stop", now: Fixture.t0 + .seconds(1))
            #expect(store.cachedCancelRequested(for: claim.lease) == true)
            #expect(ended.all.isEmpty)
        }
    }

    @Test("changes announced by other replicas mark a cancel, drop a settled job, and a gap drops every lease")
    func announcedChanges() async throws {
        try await withCachingStore(.sqlite) { store, ended in
            let (_, first) = try await Fixture.runningJob(store, job: "job-1")
            let (_, second) = try await Fixture.runningJob(store, worker: "worker-b", job: "job-2")
            store.apply(.syncQueued)
            store.apply(.feedLost)
            #expect(store.cachedCancelRequested(for: first.lease) == false)
            store.apply(.cancelRequested(jobID: "job-1"))
            #expect(store.cachedCancelRequested(for: first.lease) == true)
            #expect(store.cachedCancelRequested(for: second.lease) == false)
            store.apply(.jobEnded(jobID: "job-2"))
            #expect(store.cachedCancelRequested(for: second.lease) == nil)
            #expect(ended.all == ["job-2"])
            store.apply(.feedResumed)
            #expect(store.cachedCancelRequested(for: first.lease) == nil)
        }
    }

    @Test("an announcement reads back as the change it was; unknown text is ignored")
    func announcementPayloads() {
        for change in [StoreChange.syncQueued, .cancelRequested(jobID: "job 1"), .jobEnded(jobID: "j-2")] {
            #expect(change.payload.flatMap(StoreChange.init(payload:)) == change)
        }
        #expect(StoreChange.feedLost.payload == nil && StoreChange.feedResumed.payload == nil)
        #expect(StoreChange(payload: "resized 3") == nil)
        #expect(StoreChange(payload: "cancel") == nil)
    }

    @Test("an outcome drops the lease and reports the job ended", arguments: StoreKind.allCases)
    func outcomeDrops(_ kind: StoreKind) async throws {
        try await withCachingStore(kind) { store, ended in
            let (_, claim) = try await Fixture.runningJob(store)
            _ = try await store.completeJob(lease: claim.lease, outcome: .completed, counters: nil, now: Fixture.t0 + .seconds(1))
            #expect(store.cachedCancelRequested(for: claim.lease) == nil)
            #expect(ended.all == [claim.job.id])
        }
    }

    @Test("a verdict written drops the lease; a verdict that lost its compare-and-set keeps it", arguments: StoreKind.allCases)
    func verdictDrops(_ kind: StoreKind) async throws {
        try await withCachingStore(kind) { store, ended in
            let (storage, claim) = try await Fixture.runningJob(store)
            let info = try await store.storage(id: storage.id).syncInfo
            let verdict = try SyncStatusMachine(info).terminate(
                TerminationVerdict(reason: .heartbeatTimeout, traceback: "silent", jobID: claim.job.id),
                now: Fixture.t0 + .seconds(60))
            var stale = verdict
            stale.meta.timeLastPing = Fixture.t0 - .seconds(1)
            #expect(try await store.applyVerdict(storageID: storage.id, expectedJobID: claim.job.id, newInfo: stale) == false)
            #expect(store.cachedCancelRequested(for: claim.lease) == false)
            #expect(try await store.applyVerdict(storageID: storage.id, expectedJobID: claim.job.id, newInfo: verdict))
            #expect(store.cachedCancelRequested(for: claim.lease) == nil)
            #expect(ended.all == [claim.job.id])
        }
    }

    @Test("a purge, a forced deletion and a worker's new process each drop the lease", arguments: StoreKind.allCases)
    func removalsDrop(_ kind: StoreKind) async throws {
        try await withCachingStore(kind) { store, ended in
            let purged = try await Fixture.runningJob(store, worker: "w1", job: "job-purged")
            _ = try await store.deleteJob(id: "job-purged")
            #expect(store.cachedCancelRequested(for: purged.claim.lease) == nil)

            let deleted = try await Fixture.runningJob(store, worker: "w2", job: "job-deleted")
            _ = try await store.deleteStorage(id: deleted.storage.id, force: true)
            #expect(store.cachedCancelRequested(for: deleted.claim.lease) == nil)

            let restarted = try await Fixture.runningJob(store, worker: "w3", job: "job-lost")
            #expect(try await store.registerWorkerInstance(workerID: "w3", instanceID: "inst-new", now: Fixture.t0) == ["job-lost"])
            #expect(store.cachedCancelRequested(for: restarted.claim.lease) == nil)
            #expect(ended.all == ["job-purged", "job-deleted", "job-lost"])
        }
    }

    @Test("a lease settled behind the cache's back is dropped at its next fenced write, and progress caches it again only while current", arguments: StoreKind.allCases)
    func refusedWriteDrops(_ kind: StoreKind) async throws {
        try await withStore(kind) { base in
            let store = LeaseCachingStore(base)
            let (_, claim) = try await Fixture.runningJob(store)
            // Another replica's store settles the job: this cache still believes the lease current.
            _ = try await base.completeJob(lease: claim.lease, outcome: .failed(traceback: "elsewhere"), counters: nil, now: Fixture.t0)
            #expect(store.cachedCancelRequested(for: claim.lease) == false)
            await expectStoreError(.leaseNotCurrent) {
                _ = try await store.importTasks(
                    lease: claim.lease, tasks: Fixture.tasks("a.json", rows: 1), checkpoint: nil, now: Fixture.t0)
            }
            #expect(store.cachedCancelRequested(for: claim.lease) == nil)
            await expectStoreError(.leaseNotCurrent) {
                _ = try await store.recordProgress(lease: claim.lease, counters: SyncCounters(), checkpoint: nil, now: Fixture.t0)
            }
            #expect(store.cachedCancelRequested(for: claim.lease) == nil)
        }
    }

    @Test("progress accepted for a lease the cache did not know caches it", arguments: StoreKind.allCases)
    func progressCaches(_ kind: StoreKind) async throws {
        try await withStore(kind) { base in
            let (_, claim) = try await Fixture.runningJob(base)
            let store = LeaseCachingStore(base)  // A server restarted: it knows no lease yet.
            #expect(store.cachedCancelRequested(for: claim.lease) == nil)
            _ = try await store.recordProgress(lease: claim.lease, counters: SyncCounters(), checkpoint: nil, now: Fixture.t0)
            #expect(store.cachedCancelRequested(for: claim.lease) == false)
        }
    }
}
