import FerryCore
import Testing

@testable import FerryStore

@Suite("Jobs and workers")
struct JobTests {
    @Test("claims are atomic: 10 concurrent claimers and 3 jobs make 3 distinct claims", arguments: StoreKind.allCases)
    func concurrentClaimsAreAtomic(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            var storageIDs: [Int64] = []
            for index in 0..<3 {
                let storage = try await Fixture.storage(store, title: "s\(index)")
                _ = try await store.startSync(
                    storageID: storage.id,
                    options: .default,
                    now: Fixture.t0 + .seconds(Int64(index)),
                    jobID: "job-\(index)"
                )
                storageIDs.append(storage.id)
            }
            let claims = try await withThrowingTaskGroup(of: ClaimedJob?.self) { group in
                for worker in 0..<10 {
                    group.addTask {
                        try await store.claimJob(
                            workerID: "worker-\(worker)",
                            instanceID: "inst",
                            kinds: [],
                            providers: [],
                            now: Fixture.t0 + .seconds(10),
                            leaseToken: "lease-\(worker)"
                        )
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let granted = claims.compactMap { $0 }
            #expect(granted.count == 3)
            #expect(Set(granted.map(\.job.id)) == ["job-0", "job-1", "job-2"])
            #expect(Set(granted.map(\.job.leaseToken)).count == 3)
            for claim in granted {
                let job = try #require(try await store.job(id: claim.job.id))
                #expect(job.state == .running)
                #expect(job.leaseToken == claim.job.leaseToken)
                #expect(job.workerID == claim.job.workerID)
                let info = try await store.storage(id: claim.storage.id).syncInfo
                #expect(info.status == .inProgress)
                #expect(info.meta.workerID == claim.job.workerID)
            }
        }
    }

    @Test("claims go oldest first and match the worker's kinds and providers; secrets come with the claim", arguments: StoreKind.allCases)
    func claimMatchesCapabilities(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let export = try await Fixture.storage(store, kind: .export, location: .gcs(GCSLocation(bucket: "g")))
            let imports = try await Fixture.storage(store, kind: .import, secrets: Fixture.secrets)
            _ = try await store.startSync(
                storageID: export.id,
                options: SyncOptions(onlyNew: true),
                now: Fixture.t0,
                jobID: "export-job"
            )
            _ = try await store.startSync(
                storageID: imports.id,
                options: .default,
                now: Fixture.t0 + .seconds(1),
                jobID: "import-job"
            )

            func claim(
                _ kinds: Set<StorageKind>,
                _ providers: Set<StorageProvider>,
                token: String
            ) async throws -> ClaimedJob? {
                try await store.claimJob(
                    workerID: "w",
                    instanceID: "i",
                    kinds: kinds,
                    providers: providers,
                    now: Fixture.t0 + .seconds(2),
                    leaseToken: token
                )
            }
            #expect(try await claim([.dataset], [], token: "a") == nil)
            #expect(try await claim([.export], [.s3], token: "b") == nil)
            let first = try #require(try await claim([.import], [.s3, .local], token: "c"))
            #expect(first.job.id == "import-job")
            #expect(first.secrets == Fixture.secrets)
            #expect(first.storage.id == imports.id)
            #expect(first.lease == JobLease(jobID: "import-job", token: "c", workerID: "w", instanceID: "i"))
            let second = try #require(try await claim([], [], token: "d"))
            #expect(second.job.id == "export-job")
            #expect(second.job.options.onlyNew)
            #expect(second.secrets == .none)
            #expect(try await claim([], [], token: "e") == nil)
        }
    }

    @Test("DeleteJob removes the row; the next read sees JOB_MISSING and the lease is unknown", arguments: StoreKind.allCases)
    func deleteJobLeadsToJobMissing(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let (storage, claim) = try await Fixture.runningJob(store)
            #expect(try await store.deleteJob(id: claim.job.id))
            #expect(try await store.deleteJob(id: claim.job.id) == false)
            #expect(try await store.job(id: claim.job.id) == nil)
            #expect(try await store.checkLease(claim.lease) == .unknown)

            let observation = try await store.jobObservation(storageID: storage.id)
            #expect(observation == .missing)
            let page = try await store.listStorages(StorageQuery())
            #expect(page.jobObservation(for: storage.id) == .missing)
            let info = try await store.storage(id: storage.id).syncInfo
            let verdict = try #require(
                TerminationDetector().evaluate(info, job: observation, now: Fixture.t0 + .seconds(1))
            )
            #expect(verdict.reason == .jobMissing)
            await expectStoreError(.notFound) { _ = try await store.jobObservation(storageID: 999) }
        }
    }

    @Test("a worker's new instance gets the old instance's running jobs back, now lost and fenced", arguments: StoreKind.allCases)
    func newInstanceLosesOldJobs(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            #expect(
                try await store.registerWorkerInstance(workerID: "worker-a", instanceID: "inst-1", now: Fixture.t0)
                    .isEmpty
            )
            let (storage, claim) = try await Fixture.runningJob(store, worker: "worker-a", instance: "inst-1")
            let (_, otherWorker) = try await Fixture.runningJob(
                store,
                worker: "worker-b",
                instance: "inst-9",
                job: "job-b"
            )

            let observed = try await store.jobObservation(storageID: storage.id)
            #expect(
                observed
                    == .present(
                        ObservedJob(
                            jobID: claim.job.id,
                            state: .running,
                            lease: ObservedLease(
                                workerID: "worker-a",
                                instanceID: "inst-1",
                                holderIsCurrentInstance: true
                            )
                        )
                    )
            )

            // A reconnect of the same process loses nothing.
            #expect(
                try await store.registerWorkerInstance(workerID: "worker-a", instanceID: "inst-1", now: Fixture.t0)
                    .isEmpty
            )
            #expect(try await store.checkLease(claim.lease) == .active)

            let lost = try await store.registerWorkerInstance(
                workerID: "worker-a",
                instanceID: "inst-2",
                now: Fixture.t0 + .seconds(1)
            )
            #expect(lost == [claim.job.id])
            #expect(try await store.job(id: claim.job.id)?.state == .lost)
            #expect(try await store.checkLease(claim.lease) == .settled(.lost))
            #expect(try await store.checkLease(otherWorker.lease) == .active)

            let after = try await store.jobObservation(storageID: storage.id)
            guard case .present(let job) = after else {
                Issue.record("expected the job to be present, got \(after)")
                return
            }
            #expect(job.state == .lost)
            #expect(job.lease?.holderIsCurrentInstance == false)
            let info = try await store.storage(id: storage.id).syncInfo
            let verdict = try #require(TerminationDetector().evaluate(info, job: after, now: Fixture.t0 + .seconds(2)))
            #expect(verdict.reason == .jobFailed)
            #expect(
                try await store.applyVerdict(
                    storageID: storage.id,
                    expectedJobID: claim.job.id,
                    newInfo: try SyncStatusMachine(info).terminate(verdict, now: Fixture.t0 + .seconds(2))
                )
            )
            #expect(try await store.job(id: claim.job.id)?.state == .lost)

            // The superseded process may not claim again.
            _ = try await store.startSync(
                storageID: storage.id,
                options: .default,
                now: Fixture.t0 + .seconds(3),
                jobID: "job-2"
            )
            await expectStoreError(.failedPrecondition) {
                _ = try await store.claimJob(
                    workerID: "worker-a",
                    instanceID: "inst-1",
                    kinds: [],
                    providers: [],
                    now: Fixture.t0,
                    leaseToken: "z"
                )
            }
            let fresh = try await store.claimJob(
                workerID: "worker-a",
                instanceID: "inst-2",
                kinds: [],
                providers: [],
                now: Fixture.t0,
                leaseToken: "z"
            )
            #expect(fresh?.job.id == "job-2")
        }
    }
}
