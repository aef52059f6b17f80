import FerryCore
import Testing

@testable import FerryStore

@Suite("Sync: single flight, verdicts, cancel")
struct SyncTests {
    @Test("50 concurrent StartSync calls on one storage make exactly one job, and every answer names it", arguments: StoreKind.allCases)
    func concurrentStartSyncIsSingleFlight(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let storage = try await Fixture.storage(store)
            let results = try await withThrowingTaskGroup(of: StartSyncResult.self) { group in
                for index in 0..<50 {
                    group.addTask {
                        try await store.startSync(
                            storageID: storage.id,
                            options: .default,
                            now: Fixture.t0,
                            jobID: "job-\(index)"
                        )
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.count == 50)
            let started = results.filter { !$0.isAlreadyRunning }
            #expect(started.count == 1)
            let jobID = try #require(started.first?.jobID)
            #expect(results.allSatisfy { $0.jobID == jobID })

            let jobs = try await store.sqlStrings("SELECT id FROM jobs")
            #expect(jobs == [jobID])
            let info = try await store.storage(id: storage.id).syncInfo
            #expect(info.status == .queued)
            #expect(info.lastSyncJob == jobID)
            #expect(info.meta.attempts == 1)
        }
    }

    @Test("StartSync after a settled sync queues a new job; unknown storage is notFound; a taken job id conflicts", arguments: StoreKind.allCases)
    func startSyncAgainAfterSettling(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let (storage, claim) = try await Fixture.runningJob(store)
            _ = try await store.completeJob(
                lease: claim.lease,
                outcome: .completed,
                counters: nil,
                now: Fixture.t0 + .seconds(1)
            )
            let again = try await store.startSync(
                storageID: storage.id,
                options: .default,
                now: Fixture.t0 + .seconds(2),
                jobID: "job-2"
            )
            guard case .started(let job, let info) = again else {
                Issue.record("expected a new job, got \(again)")
                return
            }
            #expect(job.id == "job-2")
            #expect(job.state == .queued)
            #expect(info.meta.attempts == 2)
            #expect(try await store.job(id: "job-2") == job)

            await expectStoreError(.notFound) {
                _ = try await store.startSync(storageID: 999, options: .default, now: Fixture.t0, jobID: "x")
            }
            let other = try await Fixture.storage(store)
            await expectStoreError(.conflict) {
                _ = try await store.startSync(storageID: other.id, options: .default, now: Fixture.t0, jobID: "job-2")
            }
            #expect(try await store.storage(id: other.id).syncInfo.status == .initialized)
        }
    }

    @Test("20 concurrent applyVerdict calls for one stale storage: exactly one writes it", arguments: StoreKind.allCases)
    func concurrentVerdictsPersistOnce(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let (storage, claim) = try await Fixture.runningJob(store)
            let now = Fixture.t0 + .seconds(51)
            let page = try await store.listStorages(StorageQuery())
            let info = try #require(page.storages.first).syncInfo
            let verdict = try #require(
                TerminationDetector().evaluate(info, job: page.jobObservation(for: storage.id), now: now)
            )
            #expect(verdict.reason == .heartbeatTimeout)
            let newInfo = try SyncStatusMachine(info).terminate(verdict, now: now)

            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        try await store.applyVerdict(
                            storageID: storage.id,
                            expectedJobID: claim.job.id,
                            newInfo: newInfo
                        )
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 1)
            #expect(try await store.storage(id: storage.id).syncInfo == newInfo)
            #expect(try await store.job(id: claim.job.id)?.state == .failed)
            #expect(try await store.checkLease(claim.lease) == .settled(.failed))
        }
    }

    @Test("a verdict computed before a newer ping is stale and not written", arguments: StoreKind.allCases)
    func verdictAfterNewPingIsStale(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let (storage, claim) = try await Fixture.runningJob(store)
            let info = try await store.storage(id: storage.id).syncInfo
            let late = Fixture.t0 + .seconds(60)
            let verdict = try #require(
                TerminationDetector().evaluate(
                    info,
                    job: try await store.jobObservation(storageID: storage.id),
                    now: late
                )
            )
            let newInfo = try SyncStatusMachine(info).terminate(verdict, now: late)

            // The worker's heartbeat lands between the lister's read and its write.
            _ = try await store.recordProgress(
                lease: claim.lease,
                counters: SyncCounters(synced: 1),
                checkpoint: nil,
                now: late
            )
            #expect(
                try await store.applyVerdict(storageID: storage.id, expectedJobID: claim.job.id, newInfo: newInfo)
                    == false
            )
            #expect(try await store.storage(id: storage.id).syncInfo.status == .inProgress)
            #expect(try await store.checkLease(claim.lease) == .active)

            await expectStoreError(.invalidArgument) {
                _ = try await store.applyVerdict(storageID: storage.id, expectedJobID: claim.job.id, newInfo: info)
            }
            #expect(
                try await store.applyVerdict(storageID: 999, expectedJobID: claim.job.id, newInfo: newInfo) == false
            )
        }
    }

    @Test("last_sync_count is what the store committed, however the sync ends", arguments: StoreKind.allCases, ["complete", "verdict", "cancel"])
    func committedCount(_ kind: StoreKind, ending: String) async throws {
        try await withStore(kind) { store in
            let (storage, claim) = try await Fixture.runningJob(store)
            _ = try await store.importTasks(
                lease: claim.lease, tasks: Fixture.tasks("a.json", rows: 3), checkpoint: nil, now: Fixture.t0)
            // A repeated row is not created again and does not count.
            _ = try await store.importTasks(
                lease: claim.lease, tasks: Fixture.tasks("a.json", rows: 3) + Fixture.tasks("b.json", rows: 2),
                checkpoint: nil, now: Fixture.t0)
            // The worker's counter lags (its last heartbeat was one batch behind).
            _ = try await store.recordProgress(
                lease: claim.lease, counters: SyncCounters(synced: 3), checkpoint: nil, now: Fixture.t0 + .seconds(1))
            #expect(try await store.storage(id: storage.id).syncInfo.lastSyncCount == 5)
            let now = Fixture.t0 + .minutes(5)
            switch ending {
            case "complete":
                _ = try await store.completeJob(
                    lease: claim.lease, outcome: .failed(traceback: "stopped"), counters: SyncCounters(synced: 3), now: now)
            case "cancel":
                _ = try await store.requestCancel(storageID: storage.id, reason: nil, now: now)
                _ = try await store.completeJob(lease: claim.lease, outcome: .cancelled, counters: nil, now: now)
            default:
                // A verdict computed from a read taken before the last batch still keeps that batch's count.
                let stale = try await store.storage(id: storage.id).syncInfo
                _ = try await store.importTasks(
                    lease: claim.lease, tasks: Fixture.tasks("c.json", rows: 4), checkpoint: nil, now: Fixture.t0)
                let verdict = try #require(
                    TerminationDetector().evaluate(
                        stale, job: try await store.jobObservation(storageID: storage.id), now: now))
                let settled = try SyncStatusMachine(stale).terminate(verdict, now: now)
                #expect(try await store.applyVerdict(storageID: storage.id, expectedJobID: claim.job.id, newInfo: settled))
            }
            let info = try await store.storage(id: storage.id).syncInfo
            #expect(info.status == .failed)
            #expect(info.lastSync == now)
            #expect(info.lastSyncCount == Int64(try await store.taskCount(projectID: 1)))
        }
    }

    @Test("fencing: a current lease presented by another worker or instance is refused and changes nothing", arguments: StoreKind.allCases)
    func fencingByHolder(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let (storage, claim) = try await Fixture.runningJob(store)
            let before = try await store.storage(id: storage.id).syncInfo
            var otherWorker = claim.lease
            otherWorker.workerID = "intruder"
            var otherInstance = claim.lease
            otherInstance.instanceID = "another-process"
            for lease in [otherWorker, otherInstance] {
                await expectStoreError(.notLeaseHolder) {
                    _ = try await store.importTasks(
                        lease: lease, tasks: Fixture.tasks("a.json", rows: 1), checkpoint: nil, now: Fixture.t0)
                }
                await expectStoreError(.notLeaseHolder) {
                    _ = try await store.recordProgress(
                        lease: lease, counters: SyncCounters(synced: 5), checkpoint: nil, now: Fixture.t0)
                }
                await expectStoreError(.notLeaseHolder) {
                    _ = try await store.completeJob(
                        lease: lease, outcome: .failed(traceback: "stolen"), counters: nil, now: Fixture.t0)
                }
                await expectStoreError(.notLeaseHolder) {
                    _ = try await store.newImportKeys(lease: lease, keys: ["a.json"])
                }
            }
            #expect(try await store.taskCount(projectID: 1) == 0)
            #expect(try await store.storage(id: storage.id).syncInfo == before)
            #expect(try await store.checkLease(claim.lease) == .active)
        }
    }

    @Test("fencing: after a HEARTBEAT_TIMEOUT verdict the old lease's progress, batch and outcome are refused", arguments: StoreKind.allCases)
    func fencingAfterVerdict(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let (storage, claim) = try await Fixture.runningJob(store)
            _ = try await store.importTasks(
                lease: claim.lease,
                tasks: Fixture.tasks("a.json", rows: 2),
                checkpoint: nil,
                now: Fixture.t0
            )
            #expect(try await store.taskCount(projectID: 1) == 2)

            let now = Fixture.t0 + .minutes(5)
            let info = try await store.storage(id: storage.id).syncInfo
            let verdict = try #require(
                TerminationDetector().evaluate(
                    info,
                    job: try await store.jobObservation(storageID: storage.id),
                    now: now
                )
            )
            #expect(
                try await store.applyVerdict(
                    storageID: storage.id,
                    expectedJobID: claim.job.id,
                    newInfo: try SyncStatusMachine(info).terminate(verdict, now: now)
                )
            )
            let settled = try await store.storage(id: storage.id).syncInfo

            await expectStoreError(.leaseNotCurrent) {
                _ = try await store.recordProgress(
                    lease: claim.lease,
                    counters: SyncCounters(synced: 9),
                    checkpoint: nil,
                    now: now
                )
            }
            await expectStoreError(.leaseNotCurrent) {
                _ = try await store.importTasks(
                    lease: claim.lease,
                    tasks: Fixture.tasks("b.json", rows: 3),
                    checkpoint: nil,
                    now: now
                )
            }
            await expectStoreError(.leaseNotCurrent) {
                _ = try await store.newImportKeys(lease: claim.lease, keys: ["a.json"])
            }
            await expectStoreError(.leaseNotCurrent) {
                _ = try await store.completeJob(lease: claim.lease, outcome: .completed, counters: nil, now: now)
            }
            #expect(try await store.taskCount(projectID: 1) == 2)
            #expect(try await store.storage(id: storage.id).syncInfo == settled)
            #expect(settled.meta.terminationReason == .heartbeatTimeout)

            // A forged token for the same job is unknown, never active.
            var forged = claim.lease
            forged.token = "forged"
            #expect(try await store.checkLease(forged) == .unknown)
            forged.jobID = "no-such-job"
            #expect(try await store.checkLease(forged) == .unknown)
        }
    }

    @Test("progress and outcomes go through the status machine; the job row follows", arguments: StoreKind.allCases)
    func progressAndCompletion(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let (storage, claim) = try await Fixture.runningJob(store)
            #expect(claim.job.state == .running)
            #expect(claim.storage.syncInfo.status == .inProgress)
            #expect(claim.storage.syncInfo.meta.workerID == "worker-a")

            let progress = try await store.recordProgress(
                lease: claim.lease,
                counters: SyncCounters(synced: 5, existed: 2, objectsScanned: 7, bytes: 1024),
                checkpoint: SyncCheckpoint(lastKey: "e.json", state: [9]),
                now: Fixture.t0 + .seconds(10)
            )
            #expect(!progress.cancelRequested)
            #expect(progress.syncInfo.lastSyncCount == 0, "the worker's counter is not the store's count")
            #expect(progress.syncInfo.meta.timeLastPing == Fixture.t0 + .seconds(10))
            let job = try #require(try await store.job(id: claim.job.id))
            #expect(
                job.checkpoint == SyncCheckpoint(lastKey: "e.json", state: [9], updatedAt: Fixture.t0 + .seconds(10))
            )
            #expect(job.lastProgressAt == Fixture.t0 + .seconds(10))

            await expectStoreError(.invalidArgument) {
                _ = try await store.recordProgress(
                    lease: claim.lease,
                    counters: SyncCounters(synced: -1),
                    checkpoint: nil,
                    now: Fixture.t0
                )
            }

            let failed = try await store.completeJob(
                lease: claim.lease,
                outcome: .failed(traceback: "boom at key e.json line 3"),
                counters: SyncCounters(synced: 6),
                now: Fixture.t0 + .seconds(20)
            )
            #expect(failed.status == .failed)
            #expect(failed.traceback == "boom at key e.json line 3")
            #expect(try await store.storage(id: storage.id).syncInfo == failed)
            #expect(try await store.job(id: claim.job.id)?.state == .failed)
            #expect(try await store.job(id: claim.job.id)?.finishedAt == Fixture.t0 + .seconds(20))
        }
    }

    @Test("cancel: the next heartbeat learns of it; the confirmation fails the sync as CANCELLED", arguments: StoreKind.allCases)
    func cancelFlow(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let (storage, claim) = try await Fixture.runningJob(store)
            let cancel = try await store.requestCancel(
                storageID: storage.id,
                reason: "operator",
                now: Fixture.t0 + .seconds(1)
            )
            #expect(cancel.cancelRequested)
            #expect(cancel.jobID == claim.job.id)
            #expect(cancel.syncInfo.meta.timeCancelRequested == Fixture.t0 + .seconds(1))
            #expect(try await store.job(id: claim.job.id)?.cancelReason == "operator")

            let progress = try await store.recordProgress(
                lease: claim.lease,
                counters: .zero,
                checkpoint: nil,
                now: Fixture.t0 + .seconds(2)
            )
            #expect(progress.cancelRequested)

            let info = try await store.completeJob(
                lease: claim.lease,
                outcome: .cancelled,
                counters: nil,
                now: Fixture.t0 + .seconds(3)
            )
            #expect(info.status == .failed)
            #expect(info.meta.terminationReason == .cancelled)
            #expect(try await store.job(id: claim.job.id)?.state == .cancelled)

            let nothing = try await store.requestCancel(
                storageID: storage.id,
                reason: nil,
                now: Fixture.t0 + .seconds(4)
            )
            #expect(!nothing.cancelRequested)
            #expect(nothing.jobID == nil)
            await expectStoreError(.notFound) {
                _ = try await store.requestCancel(storageID: 999, reason: nil, now: Fixture.t0)
            }
        }
    }

    @Test("a cancelled queued job is never claimed, and detection settles it as CANCELLED", arguments: StoreKind.allCases)
    func cancelledQueuedJobIsNotClaimed(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let storage = try await Fixture.storage(store)
            _ = try await store.startSync(storageID: storage.id, options: .default, now: Fixture.t0, jobID: "job-1")
            _ = try await store.requestCancel(storageID: storage.id, reason: nil, now: Fixture.t0)
            #expect(
                try await store.claimJob(
                    workerID: "w",
                    instanceID: "i",
                    kinds: [],
                    providers: [],
                    now: Fixture.t0,
                    leaseToken: "t"
                )
                    == nil
            )
            let info = try await store.storage(id: storage.id).syncInfo
            let verdict = try #require(
                TerminationDetector().evaluate(
                    info,
                    job: try await store.jobObservation(storageID: storage.id),
                    now: Fixture.t0
                )
            )
            #expect(verdict.reason == .cancelled)
            #expect(
                try await store.applyVerdict(
                    storageID: storage.id,
                    expectedJobID: "job-1",
                    newInfo: try SyncStatusMachine(info).terminate(verdict, now: Fixture.t0)
                )
            )
            #expect(try await store.job(id: "job-1")?.state == .cancelled)
        }
    }
}

@Suite("Transactions")
struct TransactionTests {
    @Test("two stores on one file (two server processes): concurrent StartSync still makes one job")
    func singleFlightAcrossConnections() async throws {
        let database = try TestDatabase()
        defer { database.remove() }
        let first = try await database.open()
        let second = try await database.open()
        do {
            let storage = try await Fixture.storage(first)
            let results = try await withThrowingTaskGroup(of: StartSyncResult.self) { group in
                for index in 0..<40 {
                    let store = index.isMultiple(of: 2) ? first : second
                    group.addTask {
                        try await store.startSync(
                            storageID: storage.id,
                            options: .default,
                            now: Fixture.t0,
                            jobID: "job-\(index)"
                        )
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.filter { !$0.isAlreadyRunning }.count == 1)
            #expect(Set(results.map(\.jobID)).count == 1)
            #expect(try await second.sqlStrings("SELECT COUNT(*) FROM jobs") == ["1"])
        } catch {
            try? await first.close()
            try? await second.close()
            throw error
        }
        try await first.close()
        try await second.close()
    }

    @Test("a failure in the middle of a transaction rolls all of it back")
    func failureRollsBack() async throws {
        let database = try TestDatabase()
        defer { database.remove() }
        let store = try await database.open(sealer: TestSealer(failsToSeal: true))
        do {
            // The storage row is inserted, then sealing its secrets fails: no row may remain.
            await expectStoreError(.corrupt) {
                _ = try await Fixture.storage(store, secrets: Fixture.secrets)
            }
            #expect(try await store.listStorages(StorageQuery()).totalCount == 0)
            // The connection is usable afterwards.
            let plain = try await Fixture.storage(store)
            #expect(try await store.storage(id: plain.id) == plain)
        } catch {
            try? await store.close()
            throw error
        }
        try await store.close()
    }
}
