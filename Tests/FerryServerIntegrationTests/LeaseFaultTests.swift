import FerryCore
import FerryProto
import FerryRPC
import FerryServices
import FerryStore
import Foundation
import Synchronization
import Testing

/// Faults around a lease, on a real in-process server over TLS whose clock the test moves: a
/// verdict never comes before stale-after has passed since the last acknowledged heartbeat, a
/// lease is usable only by the worker process that claimed it, a worker silent for longer than
/// stale-after is fenced when it comes back even if nobody listed, and a second live process
/// under one worker id is refused.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct LeaseFaultTests {
    static let policy = FerryTestServer.policy

    /// A storage with a job claimed by `instance` at the clock's current time.
    static func claim(
        admin: FerryClient, worker: FerryClient, instance: String
    ) async throws -> (storageID: Int64, lease: FerryV1.JobLease) {
        let (storageID, _, lease) = try await FerryServerIntegrationTests.claimedJob(
            admin: admin, worker: worker, instance: instance)
        return (storageID, lease)
    }

    // MARK: A verdict never comes early

    /// The last heartbeat before a kill -9 is one the server coalesced (acknowledged, not
    /// written). Fifty trials, each with the last beat at a different offset into the ping
    /// interval: the storage stays in progress until exactly stale-after past that beat, is
    /// failed one microsecond later, and the traceback names that beat.
    @Test(arguments: TestDatabase.allCases)
    func verdictComesStaleAfterThePastCoalescedHeartbeat(database: TestDatabase) async throws {
        let clock = ManualClock(SystemClock().now())
        try await FerryTestServer.with(database: database, clock: clock, policy: Self.policy) { server in
            try await server.withClient(.admin) { admin in
                try await server.withClient(.worker) { worker in
                    for trial in 0..<50 {
                        // One worker process for every trial: a new instance per trial could race
                        // the end of the previous trial's stream and be refused as a second process.
                        let (storageID, lease) = try await Self.claim(admin: admin, worker: worker, instance: "trials")
                        let last = try await worker.heartbeat { session in
                            clock.advance(by: .milliseconds(60))  // Coalesced: within an interval of the claim.
                            let reply1 = try await session.ping(lease, synced: 1)
                            #expect(reply1?.ack == true)
                            clock.advance(by: .milliseconds(60))  // Written: an interval after the claim.
                            let reply2 = try await session.ping(lease, synced: 2)
                            #expect(reply2?.ack == true)
                            clock.advance(by: .milliseconds(Int64(1 + trial * 2)))  // Coalesced again.
                            let reply3 = try await session.ping(lease, synced: 3)
                            #expect(reply3?.ack == true)
                            return clock.now()
                        }
                        // The worker is gone without a word. Exactly stale-after later it is not stale yet.
                        clock.set(to: last + Self.policy.staleAfter)
                        let alive = try #require(try await admin.listed(storageID).sync)
                        #expect(alive.status == .inProgress, "trial \(trial): verdict before stale_after")

                        clock.advance(by: .microseconds(1))
                        let failed = try #require(try await admin.listed(storageID).sync)
                        #expect(failed.status == .failed, "trial \(trial): no verdict just past stale_after")
                        #expect(failed.meta?.terminationReason == .heartbeatTimeout)
                        #expect(failed.traceback.contains("last ping:    \(last.iso8601)"), "\(failed.traceback)")
                        #expect(
                            failed.traceback.contains("for \(Self.policy.staleAfter + .microseconds(1))"),
                            "\(failed.traceback)")
                    }
                }
            }
        }
    }

    /// An acknowledged heartbeat's progress is in the store within one ping interval: the first
    /// one at once, a coalesced one when its interval ends.
    @Test(arguments: TestDatabase.allCases)
    func acknowledgedProgressIsStoredWithinOneInterval(database: TestDatabase) async throws {
        try await FerryTestServer.with(database: database) { server in
            try await server.withClient(.admin) { admin in
                try await server.withClient(.worker) { worker in
                    let (storageID, lease) = try await Self.claim(admin: admin, worker: worker, instance: "counting")
                    try await worker.heartbeat { session in
                        for synced in 1...2 {  // Back to back: the second is coalesced.
                            let reply = try await session.ping(lease, synced: Int64(synced))
                            #expect(reply?.ack == true)
                        }
                        let stored = try await waitUntil(timeout: .seconds(5), every: .milliseconds(5)) {
                            try await server.store.storage(id: storageID).syncInfo.meta.objectsScanned == 2
                        }
                        #expect(stored, "the coalesced heartbeat's progress was never written")
                    }
                }
            }
        }
    }

    // MARK: A lease belongs to one worker process

    @Test(arguments: TestDatabase.allCases)
    func anotherWorkersCertificateCannotUseALease(database: TestDatabase) async throws {
        try await FerryTestServer.with(database: database) { server in
            try await server.withClient(.admin) { admin in
                try await server.withClient(.worker) { worker in
                    let (storageID, lease) = try await Self.claim(admin: admin, worker: worker, instance: "owner")
                    try await server.withClient(.secondWorker) { intruder in
                        let task = FerryV1.ImportTask(key: "stolen.json", rowIndex: 0, dataJSON: "{}")
                        await Self.expectPermissionDenied { _ = try await intruder.submit(lease, [task]) }
                        await Self.expectPermissionDenied { _ = try await intruder.checkImportKeys(lease, ["k"]) }
                        await Self.expectPermissionDenied {
                            _ = try await intruder.heartbeat { session in
                                try await session.finish(lease, result: .failed)
                            }
                        }
                    }
                    // The same certificate with another instance id is refused too.
                    var otherInstance = lease
                    otherInstance.instanceID = "not-the-owner"
                    await Self.expectPermissionDenied {
                        _ = try await worker.submit(otherInstance, [FerryV1.ImportTask(key: "x.json", dataJSON: "{}")])
                    }

                    // Nothing changed: no task, the sync still runs, and its owner carries on.
                    #expect(try await server.store.taskCount(projectID: FerryServerIntegrationTests.projectID) == 0)
                    #expect(try await admin.listed(storageID).sync?.status == .inProgress)
                    let reply = try await worker.heartbeat { session in try await session.ping(lease, synced: 1) }
                    #expect(reply?.ack == true)
                    #expect(reply?.leaseStatus == .active)
                }
            }
        }
    }

    // MARK: Silence past stale-after ends the lease without a list call

    @Test(arguments: TestDatabase.allCases)
    func workerSilentPastStaleAfterIsFencedWhenItComesBack(database: TestDatabase) async throws {
        let clock = ManualClock(SystemClock().now())
        try await FerryTestServer.with(database: database, clock: clock, policy: Self.policy) { server in
            try await server.withClient(.admin) { admin in
                try await server.withClient(.worker) { worker in
                    // A heartbeat that comes back after the silence.
                    let (beating, beatLease) = try await Self.claim(admin: admin, worker: worker, instance: "stopped-1")
                    clock.advance(by: Self.policy.staleAfter + .milliseconds(1))
                    let refused = await #expect(throws: RPCError.self) {
                        try await worker.heartbeat { session in
                            let reply = try await session.ping(beatLease, synced: 5)
                            #expect(reply?.ack == false)
                            #expect(reply?.leaseStatus == .expired)
                            _ = try await session.next()
                        }
                    }
                    #expect(refused?.isLeaseRejection == true, "\(String(describing: refused))")
                    let settled = try await server.store.storage(id: beating)
                    #expect(settled.syncInfo.status == .failed)
                    #expect(settled.syncInfo.meta.terminationReason == .heartbeatTimeout)

                    // A batch that comes back after the silence adds nothing.
                    let (batching, batchLease) = try await Self.claim(admin: admin, worker: worker, instance: "stopped-2")
                    clock.advance(by: Self.policy.staleAfter + .milliseconds(1))
                    let task = FerryV1.ImportTask(key: "late.json", rowIndex: 0, dataJSON: "{}")
                    let batchRefused = await #expect(throws: RPCError.self) {
                        _ = try await worker.submit(batchLease, [task])
                    }
                    #expect(batchRefused?.isLeaseRejection == true, "\(String(describing: batchRefused))")
                    #expect(try await server.store.storage(id: batching).syncInfo.meta.terminationReason == .heartbeatTimeout)
                    #expect(try await server.store.taskCount(projectID: FerryServerIntegrationTests.projectID) == 0)
                }
            }
        }
    }

    @Test(arguments: TestDatabase.allCases)
    func heartbeatsWithinStaleAfterKeepTheLease(database: TestDatabase) async throws {
        let clock = ManualClock(SystemClock().now())
        try await FerryTestServer.with(database: database, clock: clock, policy: Self.policy) { server in
            try await server.withClient(.admin) { admin in
                try await server.withClient(.worker) { worker in
                    let (storageID, lease) = try await Self.claim(admin: admin, worker: worker, instance: "steady")
                    try await worker.heartbeat { session in
                        for beat in 1...12 {
                            clock.advance(by: Self.policy.staleAfter)  // Late, but never past stale-after.
                            let reply = try await session.ping(lease, synced: Int64(beat))
                            #expect(reply?.leaseStatus == .active)
                        }
                    }
                    #expect(try await admin.listed(storageID).sync?.status == .inProgress)
                }
            }
        }
    }

    @Test func aNegativeCounterIsRefusedNotAcknowledged() async throws {
        try await FerryTestServer.with { server in
            try await server.withClient(.admin) { admin in
                try await server.withClient(.worker) { worker in
                    let (_, lease) = try await Self.claim(admin: admin, worker: worker, instance: "negative")
                    _ = try await worker.heartbeat { session in try await session.ping(lease, synced: 1) }
                    let refused = await #expect(throws: RPCError.self) {
                        _ = try await worker.heartbeat { session in try await session.ping(lease, synced: -5) }
                    }
                    #expect(refused?.code == .invalidArgument)
                    #expect(refused?.message.contains("counters.synced") == true, "\(String(describing: refused))")
                }
            }
        }
    }

    // MARK: What a refused lease is called

    @Test(arguments: TestDatabase.allCases)
    func unknownJobsAndForgedTokensAreUnknownCompletedJobsSettled(database: TestDatabase) async throws {
        try await FerryTestServer.with(database: database) { server in
            try await server.withClient(.admin) { admin in
                try await server.withClient(.worker) { worker in
                    let (_, lease) = try await Self.claim(admin: admin, worker: worker, instance: "named")
                    var forged = lease
                    forged.leaseToken = "forged"
                    var missing = lease
                    missing.jobID = "no-such-job"
                    for (refused, expected) in [(forged, FerryV1.LeaseStatus.unknown), (missing, .unknown)] {
                        let status = try await Self.refusal(of: refused, worker: worker)
                        #expect(status == expected, "\(refused.jobID): \(String(describing: status))")
                    }
                    let done = try await worker.heartbeat { session in try await session.finish(lease, result: .completed) }
                    #expect(done?.leaseStatus == .settled)
                    #expect(try await Self.refusal(of: lease, worker: worker) == .settled)
                }
            }
        }
    }

    /// The lease status of the reply to a heartbeat the server refuses (the stream then fails).
    private static func refusal(of lease: FerryV1.JobLease, worker: FerryClient) async throws -> FerryV1.LeaseStatus? {
        let seen = Mutex<FerryV1.HeartbeatResponse?>(nil)
        let error = await #expect(throws: RPCError.self) {
            try await worker.heartbeat { session in
                let reply = try await session.ping(lease, synced: 1)
                seen.withLock { $0 = reply }
                _ = try await session.next()
            }
        }
        #expect(error?.isLeaseRejection == true, "\(String(describing: error))")
        let reply = seen.withLock { $0 }
        #expect(reply?.ack == false)
        return reply?.leaseStatus
    }

    // MARK: One live process per worker id

    @Test(arguments: TestDatabase.allCases)
    func secondLiveProcessUnderOneWorkerIDIsRefused(database: TestDatabase) async throws {
        try await FerryTestServer.with(database: database) { server in
            try await server.withClient(.admin) { admin in
                let (storageID, lease) = try await server.withClient(.worker) { first in
                    let (storageID, lease) = try await Self.claim(admin: admin, worker: first, instance: "first")
                    // The first process keeps its heartbeat stream open while a copy starts.
                    try await first.heartbeat { session in
                        let reply4 = try await session.ping(lease, synced: 1)
                        #expect(reply4?.ack == true)
                        try await server.withClient(.worker) { copy in
                            let refused = await #expect(throws: RPCError.self) {
                                _ = try await copy.acquireJob(instance: "copy", wait: .milliseconds(10))
                            }
                            #expect(refused?.code == .alreadyExists)
                            #expect(refused?.message.contains("in use by another running process") == true)
                        }
                        #expect(try await admin.listStorages().connectedWorkers == 1)
                        // The first process is untouched.
                        let reply5 = try await session.ping(lease, synced: 2)
                        #expect(reply5?.leaseStatus == .active)
                    }
                    return (storageID, lease)
                }
                // A worker whose connection closed is no longer counted as connected.
                #expect(try await waitUntil { try await admin.listStorages().connectedWorkers == 0 })
                // Once the first process's connection is gone, a new process takes the id at once,
                // and the job the old one held fails.
                try await server.withClient(.worker) { next in
                    let registered = try await waitUntil {
                        do {
                            _ = try await next.acquireJob(instance: "next", wait: .milliseconds(10))
                            return true
                        } catch let error as RPCError where error.code == .alreadyExists {
                            return false  // The server has not yet seen the old connection close.
                        }
                    }
                    #expect(registered)
                    let failed = try #require(try await admin.listed(storageID).sync)
                    #expect(failed.status == .failed)
                    #expect(failed.meta?.terminationReason == .jobFailed)
                    await #expect(throws: RPCError.self) {
                        _ = try await next.submit(lease, [FerryV1.ImportTask(key: "x.json", dataJSON: "{}")])
                    }
                }
            }
        }
    }

    private static func expectPermissionDenied(
        _ body: () async throws -> Void,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async {
        let error = await #expect(throws: RPCError.self, sourceLocation: sourceLocation) { try await body() }
        #expect(error?.code == .permissionDenied, "\(String(describing: error))", sourceLocation: sourceLocation)
    }
}
