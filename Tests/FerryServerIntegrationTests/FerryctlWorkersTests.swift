import FerryProto
import FerryTestSupport
import Foundation
import Testing

/// `ferryctl workers list` against a real ferryd and worker: the worker shows as connected with
/// its job, and as gone within stale_after of a kill -9.
@Suite(.timeLimit(.minutes(3)))
struct FerryctlWorkersTests {
    @Test func aKilledWorkerShowsAsGoneWithinStaleAfter() async throws {
        let staleAfter = 10.0
        let world = try await World(staleAfterSeconds: staleAfter, batchSize: 50)
        defer { world.cleanUp() }
        _ = try await world.runningSync(files: 5_000)
        // Frozen mid-sync: its connection and heartbeat stream stay open, so it holds its job
        // however long the checks below take.
        world.worker.send(SIGSTOP)

        let running = try await Self.workers(world)
        let worker = try #require(running.first { $0["worker_id"] as? String == "worker-1" }, "\(running)")
        #expect(worker["connected"] as? Bool == true)
        #expect(worker["jobs_held"] as? Int == 1)
        #expect((worker["kinds"] as? [String])?.contains("import") == true)
        #expect(worker["connected_since"] is String)

        world.worker.kill9()
        let killed = ContinuousClock.now
        let gone = try await waitUntil(timeout: .seconds(staleAfter * 3), every: .milliseconds(200)) {
            (try? await Self.workers(world))?.first { $0["worker_id"] as? String == "worker-1" }?["connected"] as? Bool == false
        }
        #expect(gone, "worker-1 never showed as gone")
        #expect(ContinuousClock.now - killed < .seconds(staleAfter), "gone only after stale_after")
        let table = try await world.ferryctl(["workers", "list"])
        #expect(table.contains("worker-1") && table.contains("gone"), "\(table)")
    }

    /// `ferryctl workers list -o json`'s workers.
    static func workers(_ world: World) async throws -> [[String: Any]] {
        let output = try await world.ferryctl(["workers", "list", "-o", "json"])
        let reply = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any], "\(output)")
        return try #require(reply["workers"] as? [[String: Any]], "\(output)")
    }
}
