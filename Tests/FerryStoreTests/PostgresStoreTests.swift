import FerryCore
import FerryTestSupport
import Synchronization
import Testing

@testable import FerryStore

/// What only the PostgreSQL store has to prove: several server processes (here, two stores with
/// two connection pools on one database) decide as one, and its own schema versions.
@Suite("PostgreSQL store")
struct PostgresStoreTests {
    /// Two stores on one fresh database, like two replicas; both closed after `body`.
    func withTwoReplicas(_ body: (PostgresFerryStore, PostgresFerryStore) async throws -> Void) async throws {
        let url = try await PostgresServer.shared().createDatabase()
        let first = try await openPostgresStore(url: url)
        let second: PostgresFerryStore
        do {
            second = try await openPostgresStore(url: url)
        } catch {
            try? await first.close()
            throw error
        }
        do {
            try await body(first, second)
        } catch {
            try? await first.close()
            try? await second.close()
            throw error
        }
        try await first.close()
        try await second.close()
    }

    @Test("50 concurrent StartSync calls from two replicas make exactly one job")
    func singleFlightAcrossReplicas() async throws {
        try await withTwoReplicas { first, second in
            let storage = try await Fixture.storage(first)
            let results = try await withThrowingTaskGroup(of: StartSyncResult.self) { group in
                for index in 0..<50 {
                    let store = index.isMultiple(of: 2) ? first : second
                    group.addTask {
                        try await store.startSync(
                            storageID: storage.id, options: .default, now: Fixture.t0, jobID: "job-\(index)")
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.filter { !$0.isAlreadyRunning }.count == 1)
            let jobID = try #require(results.first?.jobID)
            #expect(results.allSatisfy { $0.jobID == jobID })
            #expect(try await second.sqlStrings("SELECT id FROM jobs") == [jobID])
            #expect(try await first.storage(id: storage.id).syncInfo.lastSyncJob == jobID)
        }
    }

    @Test("20 concurrent applyVerdict calls from two replicas persist exactly one")
    func verdictOnceAcrossReplicas() async throws {
        try await withTwoReplicas { first, second in
            let (storage, claim) = try await Fixture.runningJob(first)
            let now = Fixture.t0 + .seconds(51)
            let page = try await second.listStorages(StorageQuery())
            let info = try #require(page.storages.first).syncInfo
            let verdict = try #require(
                TerminationDetector().evaluate(info, job: page.jobObservation(for: storage.id), now: now))
            let newInfo = try SyncStatusMachine(info).terminate(verdict, now: now)
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<20 {
                    let store = index.isMultiple(of: 2) ? first : second
                    group.addTask {
                        try await store.applyVerdict(storageID: storage.id, expectedJobID: claim.job.id, newInfo: newInfo)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 1)
            #expect(try await first.storage(id: storage.id).syncInfo == newInfo)
            #expect(try await second.job(id: claim.job.id)?.state == .failed)
            #expect(try await first.checkLease(claim.lease) == .settled(.failed))
        }
    }

    @Test("claims from two replicas never hand out one job twice, and take the oldest first")
    func claimsAcrossReplicas() async throws {
        try await withTwoReplicas { first, second in
            for index in 0..<6 {
                let storage = try await Fixture.storage(first, title: "s\(index)")
                _ = try await first.startSync(
                    storageID: storage.id, options: .default, now: Fixture.t0 + .seconds(Int64(index)),
                    jobID: "job-\(index)")
            }
            let claims = try await withThrowingTaskGroup(of: ClaimedJob?.self) { group in
                for worker in 0..<16 {
                    let store = worker.isMultiple(of: 2) ? first : second
                    group.addTask {
                        try await store.claimJob(
                            workerID: "worker-\(worker)", instanceID: "inst", kinds: [], providers: [],
                            now: Fixture.t0 + .seconds(10), leaseToken: "lease-\(worker)")
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let granted = claims.compactMap { $0 }
            #expect(granted.count == 6)
            #expect(Set(granted.map(\.job.id)) == Set((0..<6).map { "job-\($0)" }))
            for claim in granted {
                #expect(try await second.job(id: claim.job.id)?.leaseToken == claim.job.leaseToken)
            }

            // With one job left among newer ones, a single claimer gets the oldest.
            for index in 0..<2 {
                let storage = try await Fixture.storage(second, title: "late\(index)")
                _ = try await second.startSync(
                    storageID: storage.id, options: .default, now: Fixture.t0 + .seconds(Int64(20 - index)),
                    jobID: "late-\(index)")
            }
            let oldest = try await first.claimJob(
                workerID: "worker-x", instanceID: "inst", kinds: [], providers: [], now: Fixture.t0 + .seconds(30),
                leaseToken: "lease-x")
            #expect(oldest?.job.id == "late-1")
        }
    }

    @Test("a replica following the database hears what another queues, cancels and settles, once committed")
    func changesReachTheOtherReplica() async throws {
        try await withTwoReplicas { first, second in
            let heard = HeardChanges()
            let follower = Task { await first.followChanges { heard.append($0) } }
            func hears(_ change: StoreChange) async throws -> Bool {
                let deadline = ContinuousClock.now + .seconds(20)
                while ContinuousClock.now < deadline {
                    if heard.all.contains(change) { return true }
                    try await Task.sleep(for: .milliseconds(20))
                }
                return false
            }
            // The feed listens once a change made through its own store comes back (one made
            // before it listened is not heard: ask again). Each probe is cancelled while queued,
            // so no claim below takes it.
            var listening = false
            for attempt in 0..<100 where !listening {
                let probe = try await Fixture.storage(first, title: "probe\(attempt)")
                _ = try await first.startSync(storageID: probe.id, options: .default, now: Fixture.t0, jobID: "probe\(attempt)")
                _ = try await first.requestCancel(storageID: probe.id, reason: nil, now: Fixture.t0)
                try await Task.sleep(for: .milliseconds(100))
                listening = heard.all.contains(.syncQueued)
            }
            #expect(listening)
            heard.removeAll()

            let (storage, claim) = try await Fixture.runningJob(second, job: "job-1")
            #expect(try await hears(.syncQueued))
            _ = try await second.requestCancel(storageID: storage.id, reason: "operator", now: Fixture.t0)
            #expect(try await hears(.cancelRequested(jobID: "job-1")))
            _ = try await second.completeJob(
                lease: claim.lease, outcome: .cancelled, counters: nil, now: Fixture.t0 + .seconds(1))
            #expect(try await hears(.jobEnded(jobID: "job-1")), "\(heard.all)")
            // A refused operation announces nothing: announcements arrive in commit order, so by
            // the time a later sync's is heard, one from the refusal would have come first.
            heard.removeAll()
            await #expect(throws: StoreError.self) {
                _ = try await second.completeJob(
                    lease: claim.lease, outcome: .completed, counters: nil, now: Fixture.t0 + .seconds(2))
            }
            let marker = try await Fixture.storage(second, title: "marker")
            _ = try await second.startSync(storageID: marker.id, options: .default, now: Fixture.t0, jobID: "marker")
            #expect(try await hears(.syncQueued))
            #expect(heard.all == [.syncQueued])
            follower.cancel()
            await follower.value
        }
    }

    @Test("replicas opening a new database together migrate it once")
    func concurrentMigrations() async throws {
        let url = try await PostgresServer.shared().createDatabase()
        let stores = try await withThrowingTaskGroup(of: PostgresFerryStore.self) { group in
            for _ in 0..<4 {
                group.addTask { try await openPostgresStore(url: url) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        for store in stores {
            #expect(store.schemaVersion == PostgresFerryStore.latestSchemaVersion)
        }
        let versions = try await stores[0].sqlStrings("SELECT version FROM schema_migrations ORDER BY version")
        #expect(versions == (1...PostgresFerryStore.latestSchemaVersion).map(String.init))
        for store in stores {
            try await store.close()
        }
    }

    @Test("a database whose schema is newer than this build is refused")
    func tooNewSchemaIsRefused() async throws {
        let url = try await PostgresServer.shared().createDatabase()
        let store = try await openPostgresStore(url: url)
        try await store.sqlExecute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'from the future', 0)")
        try await store.close()

        let error = await expectStoreError(.unsupportedSchema) {
            let reopened = try await openPostgresStore(url: url)
            try await reopened.close()
        }
        #expect(error?.message.contains("999") == true)
        #expect(error?.message.contains("newer") == true)
    }

    @Test("a failure in the middle of a transaction rolls all of it back; a closed store refuses calls")
    func failureRollsBackAndCloseRefuses() async throws {
        let store = try await openPostgresStore(sealer: TestSealer(failsToSeal: true))
        do {
            await expectStoreError(.corrupt) {
                _ = try await Fixture.storage(store, secrets: Fixture.secrets)
            }
            #expect(try await store.listStorages(StorageQuery()).totalCount == 0)
            let plain = try await Fixture.storage(store)
            #expect(try await store.storage(id: plain.id) == plain)
        } catch {
            try? await store.close()
            throw error
        }
        try await store.close()
        await expectStoreError(.closed) { _ = try await store.storage(id: 1) }
        try await store.close()
    }

    @Test("the URL gives host, port, user, database and TLS mode; the password never shows")
    func connectionURL() throws {
        let url = try PostgresConnectionURL("postgres://ferry:p%40ss@db.internal:6432/ferry?sslmode=require")
        #expect(url.host == "db.internal")
        #expect(url.port == 6432)
        #expect(url.username == "ferry")
        #expect(url.password == "p@ss")
        #expect(url.database == "ferry")
        #expect(url.sslMode == .require)
        #expect(!url.description.contains("p@ss"))
        #expect(try PostgresConnectionURL("postgresql://ferry@db/ferry", password: "other").password == "other")
        #expect(try PostgresConnectionURL("postgres://ferry@db/ferry").sslMode == .prefer)
        #expect(try PostgresConnectionURL("postgres://ferry@db/ferry").port == 5432)

        for bad in [
            "mysql://ferry@db/ferry", "postgres://db/ferry", "postgres://ferry@db", "postgres://ferry:secret@db/x?sslmode=maybe",
            "postgres://ferry:secret@db/x?password=secret",
        ] {
            do {
                _ = try PostgresConnectionURL(bad)
                Issue.record("\(bad) was accepted")
            } catch let error as StoreError {
                #expect(error.code == .invalidArgument)
                #expect(!error.message.contains("secret"))
            }
        }
    }
}

/// The changes a store's feed handed over, in order.
final class HeardChanges: Sendable {
    private let changes = Mutex<[StoreChange]>([])
    func append(_ change: StoreChange) { changes.withLock { $0.append(change) } }
    func removeAll() { changes.withLock { $0.removeAll() } }
    var all: [StoreChange] { changes.withLock { $0 } }
}
