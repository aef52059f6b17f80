import FerryProto
import FerryTestSupport
import Foundation
import Testing

/// ferryd settles a dead worker's sync by itself: nobody lists or reads the storage, and the
/// HEARTBEAT_TIMEOUT verdict is written within stale_after plus one ping interval.
@Suite(.timeLimit(.minutes(3)))
struct TerminationSweepTests {
    @Test func aKilledWorkersSyncIsSettledWithNobodyReadingIt() async throws {
        let world = try await World(staleAfterSeconds: 3, batchSize: 50)
        defer { world.cleanUp() }
        // 20,000 files: 5,000 have been imported in two seconds, before the kill could land.
        let storage = try await world.runningSync(files: 20_000)
        world.worker.kill9()
        let killed = ContinuousClock.now

        // Only ferryd's log is read until the verdict is there: no RPC reaches the server.
        let settled = try await waitUntil(timeout: .seconds(60), every: .milliseconds(50)) {
            world.daemon.log.contains("Sync terminated")
        }
        try #require(settled, "no verdict without a reader; ferryd log:\n\(world.daemon.log)")
        let waited = ContinuousClock.now - killed
        let line = world.daemon.log.split(separator: "\n").first { $0.contains("Sync terminated") } ?? ""
        #expect(line.contains("reason=HEARTBEAT_TIMEOUT") && line.contains("storage=\(storage)"), "\(line)")
        // stale_after (3 s) + one ping interval, with room for a loaded machine.
        #expect(waited < .seconds(20), "settled \(waited) after the kill")

        let read = try await world.admin { try await $0.listed(storage) }
        #expect(read.sync?.status == .failed)
        #expect(read.sync?.meta?.terminationReason == .heartbeatTimeout)
        #expect(world.daemon.log.components(separatedBy: "Sync terminated").count == 2, "one verdict, written once")
    }
}
