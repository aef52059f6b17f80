import FerryProviders
import FerryCore
import FerryProto
import FerryRPC
import FerryTLS
import FerryTestSupport
import FerryTransport
import FerryWorker
import Foundation
import Logging
import Testing

/// docs/CONTRACT.md §3.2: heartbeats come from a timer, so one object that takes far longer than
/// `stale_after` to read never makes a healthy sync look dead.
@Suite(.timeLimit(.minutes(3)))
struct SlowObjectTests {
    /// Beats every 100 ms; stale after 5 s, so a beat delayed by a loaded machine (1.7 s was seen
    /// with every suite running, and a run that took 66 s to reach the stall ended its sync
    /// failed with 2.5 s) is not taken for a dead worker, while the stall below is still three
    /// times stale_after.
    static let policy = TerminationPolicy(
        pingInterval: .milliseconds(100), staleAfter: .seconds(5), queuedTimeout: .seconds(2))

    @Test func aStalledReadKeepsTheSyncInProgress() async throws {
        try await FerryTestServer.with(policy: Self.policy) { server in
            let storage = try await server.localImportStorage(path: "slow")
            let job = try await server.startAndClaim(storage, instance: "slow-1")
            let stall = Duration.microseconds(Self.policy.staleAfter.microseconds * 3)
            let source = StallingSource(stall: stall)

            let run = Task { try await server.runJob(job, instance: "slow-1", stores: { _ in source }) }
            // Generous: with every other suite loading both cores, reaching it has taken over 30 s.
            try #require(try await waitUntil(timeout: .seconds(75)) { source.stalled }, "the worker never read the slow object")
            // Throughout the stall, well past stale_after, the sync is in progress and pings advance.
            let stalledAt = ContinuousClock.now
            var pings: Set<Int64> = []
            while ContinuousClock.now - stalledAt < stall - .milliseconds(200) {
                let listed = try await server.withClient(.admin) { try await $0.listed(storage) }
                #expect(listed.sync?.status == .inProgress, "\(listed.sync?.traceback ?? "")")
                pings.insert(listed.sync?.meta?.timeLastPingUnixMicros ?? 0)
                try await Task.sleep(for: .milliseconds(150))
            }
            #expect(pings.count >= 3, "time_last_ping did not advance during the stall")
            try await run.value

            let done = try await server.withClient(.admin) { try await $0.listed(storage) }
            #expect(done.sync?.status == .completed, "\(done.sync?.traceback ?? "")")
            #expect(done.sync?.lastSyncCount == 2)
        }
    }
}

/// Two objects; reading the second takes `stall`, as a slow network or disk would.
private final class StallingSource: ObjectStore, @unchecked Sendable {
    let stall: Duration
    private let lock = NSLock()
    private var stalledFlag = false

    init(stall: Duration) { self.stall = stall }

    var stalled: Bool { lock.withLock { stalledFlag } }

    func makeLister() throws -> any ObjectLister { OnePageLister() }

    func read(_ keys: [String]) async throws -> [LoadedObject] {
        var objects: [LoadedObject] = []
        for key in keys {
            if key == "b.json" {
                lock.withLock { stalledFlag = true }
                try await Task.sleep(for: stall)
            }
            objects.append(LoadedObject(key: key, bytes: Array(#"{"k":"\#(key)"}"#.utf8)))
        }
        return objects
    }

    func write(key: String, bytes: [UInt8], contentType: String) async throws -> WrittenObject {
        throw ProviderError(subject: key, message: "this test store is read-only")
    }

    func delete(key: String) async throws {
        throw ProviderError(subject: key, message: "this test store is read-only")
    }

    func blobURL(for key: String) -> String { "test://" + key }
}

private final class OnePageLister: ObjectLister, @unchecked Sendable {
    private var done = false

    func next(maxCount: Int) async throws -> [ListedObject]? {
        defer { done = true }
        return done ? nil : [ListedObject(key: "a.json", size: 9), ListedObject(key: "b.json", size: 9)]
    }
}
