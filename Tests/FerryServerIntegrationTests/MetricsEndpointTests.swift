import FerryProto
import FerryTestSupport
import Foundation
import Testing

/// `/metrics` of a real ferryd and a real ferry-worker during syncs, parsed by prometheus_client:
/// heartbeats, the queue, verdicts and RPC latencies move as the syncs do.
@Suite(.timeLimit(.minutes(4)))
struct MetricsEndpointTests {
    @Test func ferrydAndWorkerMetricsFollowASyncAndAKilledWorker() async throws {
        let world = try await World(
            staleAfterSeconds: 3, batchSize: 50,
            serverArguments: ["--metrics-listen", "127.0.0.1:0"],
            workerArguments: ["--metrics-listen", "127.0.0.1:0"])
        defer { world.cleanUp() }
        let serverPort = try #require(MetricsScrape.port(inLog: world.daemon.log), "\(world.daemon.log)")
        let files = 300

        // A sync queued with no worker: the sampler shows it in the queue.
        let storage = try await world.storage(files: files)
        _ = try await world.admin { try await $0.startSync(storage) }
        let queued = try await waitUntil(timeout: .seconds(30), every: .milliseconds(100)) {
            (try? await MetricsScrape.scrape(port: serverPort)).map { $0.value("ferry_queue_depth") == 1 } ?? false
        }
        #expect(queued, "ferry_queue_depth never showed the queued sync")

        try world.worker.start()
        try await world.expectCompletes(storage, files: files)
        let workerPort = try #require(MetricsScrape.port(inLog: world.worker.log), "\(world.worker.log)")

        let worker = try await MetricsScrape.scrape(port: workerPort)
        #expect(worker.value("ferry_worker_tasks_imported_total") == Double(files))
        #expect(worker.value("ferry_worker_bytes_read_total") > 0)
        #expect(worker.has("ferry_worker_jobs_running"))

        let settled = try await waitUntil(timeout: .seconds(30), every: .milliseconds(100)) {
            guard let scrape = try? await MetricsScrape.scrape(port: serverPort) else { return false }
            return scrape.value("ferry_queue_depth") == 0
                && scrape.value("ferry_storages", ["kind": "import", "provider": "local", "status": "completed"]) == 1
                && scrape.value("ferry_workers_connected") == 1
        }
        #expect(settled, "the sampled gauges did not follow the completed sync")
        let afterSync = try await MetricsScrape.scrape(port: serverPort)
        #expect(afterSync.value("ferry_syncs_started_total", ["kind": "import"]) == 1)
        #expect(afterSync.value("ferry_heartbeats_received_total") >= 1)
        #expect(afterSync.value("ferry_heartbeats_persisted_total") >= 1)
        let submit = ["method": "ferry.v1.WorkerService/SubmitImportBatch"]
        #expect(afterSync.value("ferry_rpc_calls_total", submit.merging(["code": "OK"]) { $1 }) >= Double(files / 50))
        #expect(afterSync.value("ferry_rpc_call_duration_seconds_count", submit) >= Double(files / 50))
        #expect(afterSync.value("ferry_rpc_call_duration_seconds_bucket", submit.merging(["le": "+Inf"]) { $1 }) >= Double(files / 50))
        #expect(afterSync.value("ferry_sync_verdicts_total") == 0)
        #expect(afterSync.value("ferry_connections_open") >= 1)

        // Plain text where a ClientHello belongs: one failed server handshake.
        try await Self.sendPlaintext(port: world.daemon.port)
        let failedHandshake = try await waitUntil(timeout: .seconds(30), every: .milliseconds(100)) {
            (try? await MetricsScrape.scrape(port: serverPort)).map {
                $0.value("ferry_tls_handshake_failures_total", ["role": "server"]) == 1
            } ?? false
        }
        #expect(failedHandshake, "the failed handshake was not counted")

        // A worker killed mid-sync: the sync fails with HEARTBEAT_TIMEOUT, counted once. Killed as
        // soon as the sync is in progress: 20,000 files take the worker seconds, so it is mid-sync.
        let second = try await world.storage(files: 20_000, path: "second")
        _ = try await world.admin { try await $0.startSync(second) }
        _ = try await world.waitForStatus(second, in: [.inProgress], timeout: .seconds(60))
        world.worker.kill9()
        let failed = try await world.waitForStatus(second, in: [.failed, .completed], timeout: .seconds(60))
        #expect(failed.sync?.meta?.terminationReason == .heartbeatTimeout, "\(String(describing: failed.sync))")
        let afterKill = try await MetricsScrape.scrape(port: serverPort)
        #expect(afterKill.value("ferry_sync_verdicts_total", ["reason": "HEARTBEAT_TIMEOUT"]) == 1)
        #expect(afterKill.value("ferry_rpc_calls_total", ["method": "unknown"]) == 0)

        // The metrics services end with the rest on SIGTERM: ferryd exits 0.
        await world.daemon.stop()
    }

    /// Connects to `port`, writes an HTTP request instead of a TLS ClientHello and waits for the
    /// server to close the connection.
    static func sendPlaintext(port: Int) async throws {
        let (status, text) = try await TestProcesses.runToEnd(
            "/usr/bin/env",
            [
                "python3", "-c",
                "import socket,sys; s=socket.create_connection(('127.0.0.1',int(sys.argv[1])),timeout=20); "
                    + "s.sendall(b'GET / HTTP/1.0\\r\\n\\r\\n'); s.recv(100)",
                "\(port)",
            ],
            within: .seconds(30))
        #expect(status == 0, "\(text)")
    }
}
