import FerryProto
import FerryRPC
import FerryTestSupport
import Foundation
import Testing

/// Two real `ferryd` replicas on one PostgreSQL database, over TLS: what one replica decides, the
/// other sees, and a call to either decides as one.
@Suite(.serialized, .timeLimit(.minutes(8)))
struct PostgresReplicaTests {
    /// Two replicas on a fresh database, with a worker that is not started.
    func world(serverArguments: [String] = [], batchSize: Int = 50) async throws -> World {
        try await World(
            staleAfterSeconds: 10, batchSize: batchSize, replicas: 1, serverArguments: serverArguments,
            databaseURL: try await PostgresServer.shared().createDatabase())
    }

    /// Runs `body` concurrently `count` times, alternating the replicas it talks to.
    func spread<Result: Sendable>(
        _ count: Int, over world: World, _ body: @escaping @Sendable (FerryClient) async throws -> Result
    ) async throws -> [Result] {
        let servers = [world.daemon] + world.replicas
        return try await withThrowingTaskGroup(of: Result.self) { group in
            for index in 0..<count {
                let server = servers[index % servers.count]
                group.addTask { try await server.withClient(.admin, body) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }

    @Test func fiftyStartSyncsSpreadOverBothReplicasMakeOneJob() async throws {
        let world = try await world()
        defer { world.cleanUp() }
        let storage = try await world.storage(files: 3)
        let replies = try await spread(50, over: world) { try await $0.startSync(storage) }
        #expect(replies.filter { !$0.alreadyRunning }.count == 1)
        #expect(Set(replies.map(\.jobID)).count == 1)

        // The one job is the one a worker runs, whichever replica it asks.
        try world.worker.start()
        let done = try await world.waitForStatus(storage, in: [.completed, .failed], timeout: .seconds(60))
        #expect(done.sync?.status == .completed, "\(done.sync?.traceback ?? "")")
        #expect(done.sync?.lastSyncJob == replies.first?.jobID)
        try await world.expectTasks(3)
    }

    @Test func aSyncQueuedOnOneReplicaWakesAWorkerLongPollingTheOther() async throws {
        // Each long-poll waits up to 60 s; the replica it waits on must notice a sync queued on
        // the other (at once through the announcement, or at its once-a-second look at the queue).
        let world = try await World(
            staleAfterSeconds: 10, batchSize: 50, replicas: 1,
            databaseURL: try await PostgresServer.shared().createDatabase(), workerAcquireWaitSeconds: 60)
        defer { world.cleanUp() }
        let storage = try await world.storage(files: 3)
        try world.worker.start()
        let servers = [world.daemon] + world.replicas
        // The replica the worker long-polls is the one that counts it connected.
        var polled: FerrydProcess?
        let deadline = ContinuousClock.now + .seconds(30)
        while polled == nil, ContinuousClock.now < deadline {
            for server in servers {
                let listed = try? await server.withClient(.admin) { try await $0.listStorages() }
                if listed?.connectedWorkers == 1 { polled = server }
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        let polling = try #require(polled, "the worker never polled either replica")
        let other = try #require(servers.first { $0 !== polling })

        let queued = ContinuousClock.now
        _ = try await other.withClient(.admin) { try await $0.startSync(storage) }
        let running = try await world.waitForStatus(storage, in: [.inProgress, .completed, .failed], timeout: .seconds(30))
        let handedOver = ContinuousClock.now - queued
        #expect(running.sync?.status != .failed, "\(running.sync?.traceback ?? "")")
        #expect(handedOver < .seconds(10), "the worker got the job \(handedOver) after it was queued on the other replica")
    }

    @Test func twentyListStoragesOverBothReplicasOnATimedOutSyncPersistOneVerdict() async throws {
        let world = try await world(serverArguments: ["--sync-queued-timeout-seconds", "1"])
        defer { world.cleanUp() }
        let storage = try await world.storage(files: 1)
        _ = try await world.admin { try await $0.startSync(storage) }
        // No worker runs: the sync times out in the queue. Nobody lists before that, so the
        // twenty listers below are the first to detect it.
        try await Task.sleep(for: .milliseconds(1_500))
        let listed = try await spread(20, over: world) { try await $0.listed(storage) }
        #expect(listed.allSatisfy { $0.sync?.status == .failed })
        #expect(listed.allSatisfy { $0.sync?.meta?.terminationReason == .queueTimeout })
        #expect(Set(listed.compactMap { $0.sync?.traceback }).count == 1)
        #expect(Set(listed.compactMap { $0.sync?.meta?.timeFailureUnixMicros }).count == 1)
        let verdicts = ([world.daemon] + world.replicas).map { $0.log.components(separatedBy: "Sync terminated").count - 1 }
        #expect(verdicts.reduce(0, +) == 1, "verdicts written per replica: \(verdicts)")
    }

    /// (The store-level feed test proves the announcement; here the whole path across processes.)
    @Test func aCancelSentToTheOtherReplicaReachesTheWorkersHeartbeatStream() async throws {
        let world = try await world(batchSize: 5)
        defer { world.cleanUp() }
        let storage = try await world.runningSync(files: 5_000)
        let servers = [world.daemon] + world.replicas
        let streamedTo = try #require(servers.first { $0.log.contains("Job claimed") }, "no replica logged the claim")
        let other = try #require(servers.first { $0 !== streamedTo })

        let cancel = try await other.withClient(.admin) { admin in
            try await admin.unary(
                FerryV1.Methods.StorageService.cancelSync,
                FerryV1.CancelSyncRequest(storageID: storage, reason: "operator"),
                as: FerryV1.CancelSyncResponse.self)
        }
        #expect(cancel.cancelRequested)
        let failed = try await world.waitForStatus(storage, in: [.failed, .completed], timeout: .seconds(30))
        #expect(failed.sync?.meta?.terminationReason == .cancelled, "\(failed.sync?.traceback ?? "")")
        #expect(failed.sync?.lastSyncCount ?? 5_000 < 5_000, "the sync finished before the cancel")
        #expect(world.worker.log.contains("JOB_RESULT_CANCELLED"))
        #expect(streamedTo.log.contains("Job finished"), "the worker confirmed on the replica it streams to")
    }

    /// A watch on each replica follows one sync to its end: the replica the worker does not talk
    /// to sees the claim and the progress through the database (its once-per-interval reads) and
    /// the end through the announcement of the ended job.
    @Test func watchesOnBothReplicasFollowOneSyncToItsEnd() async throws {
        let world = try await world()
        defer { world.cleanUp() }
        let storage = try await world.storage(files: 3_000)
        try world.worker.start()
        // One watch per replica: whichever replica the worker talks to, the other one follows the
        // sync only through the database (announcements and its once-per-interval reads).
        let servers = [world.daemon] + world.replicas
        let (caughtUp, caughtUpSignal) = AsyncStream.makeStream(of: Void.self)
        let seen = try await withThrowingTaskGroup(of: [FerryV1.WatchStoragesResponse].self) { group in
            for server in servers {
                group.addTask {
                    // Signals once more however it ends, so the wait below never outlives a watch.
                    defer { caughtUpSignal.yield() }
                    return try await server.withClient(.admin) { client in
                        try await client.watch(FerryV1.WatchStoragesRequest(storageIDs: [storage])) { stream in
                            var events: [FerryV1.WatchStoragesResponse] = []
                            for try await event in stream {
                                events.append(event)
                                if event.type == .caughtUp { caughtUpSignal.yield() }
                                let status = event.storage?.sync?.status
                                if status == .completed || status == .failed { return events }
                            }
                            return events
                        }
                    }
                }
            }
            // Both watches are open (each has sent its current state) before the sync starts:
            // the primary's StartSync reaches them as a change.
            var open = 0
            for await _ in caughtUp {
                open += 1
                if open == servers.count { break }
            }
            _ = try await world.admin { try await $0.startSync(storage) }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        for events in seen {
            let changes: [FerryV1.SyncStatus] = events.filter { $0.type == .changed }.compactMap { $0.storage?.sync?.status }
            #expect(changes.last == .completed, "\(changes)")
            #expect(changes.contains(.inProgress), "\(changes)")
            #expect(events.last?.storage?.sync?.lastSyncCount == 3_000)
        }
    }

    /// `kill -9` of PostgreSQL's postmaster under a running ferryd, then a restart: ferryd says
    /// NOT_SERVING and refuses writes as UNAVAILABLE while the database is gone, never crashes,
    /// serves again soon after the database is back, and nothing it acknowledged is lost.
    @Test func aKilledPostmasterMakesFerrydNotServingAndUnavailableThenItServesAgain() async throws {
        let postgres = try await PostgresServer.start(crashSafe: true)
        do {
            try await serveThroughAPostmasterKill(postgres)
        } catch {
            await postgres.stop()
            throw error
        }
        await postgres.stop()
    }

    private func serveThroughAPostmasterKill(_ postgres: PostgresServer) async throws {
        let world = try await World(
            staleAfterSeconds: 10, batchSize: 50, databaseURL: try await postgres.createDatabase())
        defer { world.cleanUp() }
        let acknowledged = try await world.storage(files: 2)
        let server = world.daemon
        @Sendable func health() async -> FerryV1.ServingStatus? {
            try? await server.withClient(.anonymous) { client in
                try await client.unary(
                    FerryV1.Methods.Health.check, FerryV1.HealthCheckRequest(), as: FerryV1.HealthCheckResponse.self
                ).status
            }
        }
        #expect(await health() == .serving)

        postgres.kill9()
        let notServing = try await waitUntil(timeout: .seconds(30), every: .milliseconds(100)) {
            await health() == .notServing
        }
        #expect(notServing)
        let refused = await #expect(throws: RPCError.self) {
            _ = try await world.admin { try await $0.startSync(acknowledged) }
        }
        #expect(refused?.code == .unavailable, "\(String(describing: refused))")
        #expect(server.isRunning)

        try await postgres.restart()
        let back = ContinuousClock.now
        let serving = try await waitUntil(timeout: .seconds(30), every: .milliseconds(100)) {
            await health() == .serving
        }
        #expect(serving)
        let started = try await world.admin { try await $0.startSync(acknowledged) }
        let recovery = ContinuousClock.now - back
        #expect(recovery < .seconds(10), "served again \(recovery) after the database was back")
        #expect(!started.alreadyRunning)
        #expect(try await world.admin { try await $0.listed(acknowledged) }.spec?.title == "e2e")
        #expect(server.isRunning)
    }
}
