import FerryProto
import FerryTestSupport
import Foundation
import Testing

/// `ferryctl workers list` and `jobs list` against a real ferryd and worker: the worker shows as
/// connected with its job, the queue shows the running and the waiting job, and the worker shows
/// as gone within stale_after of a kill -9.
@Suite(.timeLimit(.minutes(3)))
struct FerryctlWorkersTests {
    @Test func aKilledWorkerShowsAsGoneWithinStaleAfter() async throws {
        let staleAfter = 10.0
        // The worker offers import only, so an export sync waits in the queue.
        let world = try await World(staleAfterSeconds: staleAfter, batchSize: 50, workerKinds: "import")
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

        let export = try await world.storage(files: 0, path: "out", kind: .export)
        _ = try await world.admin { try await $0.startSync(export) }
        let jobs = try await Self.jsonObject(world, ["jobs", "list", "-o", "json"])
        #expect(jobs["queued_count"] as? Int == 1 && jobs["running_count"] as? Int == 1, "\(jobs)")
        #expect(jobs["oldest_queued"] is String, "\(jobs)")
        let listed = try #require(jobs["jobs"] as? [[String: Any]], "\(jobs)")
        #expect(listed.map { $0["state"] as? String } == ["running", "queued"], "oldest first: \(listed)")
        #expect(listed.first?["worker_id"] as? String == "worker-1" && listed.last?["storage_id"] as? Int == Int(export))
        let table = try await world.ferryctl(["jobs", "list"])
        #expect(table.hasPrefix("queue: 1 queued (oldest "), "\(table)")
        #expect(table.contains("running") && table.contains("worker-1"), "\(table)")
        let storages = try await world.ferryctl(["storage", "list"])
        #expect(
            storages.split(separator: "\n").first?.hasSuffix(", 1 running; 1 worker connected") == true, "\(storages)")

        world.worker.kill9()
        let killed = ContinuousClock.now
        let gone = try await waitUntil(timeout: .seconds(staleAfter * 3), every: .milliseconds(200)) {
            (try? await Self.workers(world))?.first { $0["worker_id"] as? String == "worker-1" }?["connected"] as? Bool == false
        }
        #expect(gone, "worker-1 never showed as gone")
        #expect(ContinuousClock.now - killed < .seconds(staleAfter), "gone only after stale_after")
        let workers = try await world.ferryctl(["workers", "list"])
        #expect(workers.contains("worker-1") && workers.contains("gone"), "\(workers)")
    }

    /// `ferryctl workers list -o json`'s workers.
    static func workers(_ world: World) async throws -> [[String: Any]] {
        let reply = try await jsonObject(world, ["workers", "list", "-o", "json"])
        return try #require(reply["workers"] as? [[String: Any]], "\(reply)")
    }

    /// What a `ferryctl … -o json` command prints, parsed.
    static func jsonObject(_ world: World, _ arguments: [String]) async throws -> [String: Any] {
        let output = try await world.ferryctl(arguments)
        return try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any], "\(output)")
    }
}
