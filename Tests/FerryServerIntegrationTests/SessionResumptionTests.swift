import FerryProto
import FerryTestSupport
import Foundation
import Testing

/// A real ferry-worker resumes its TLS session with a restarted ferryd: the ticket keys come from
/// the secrets key, so the new process accepts the ticket the old one issued. Seen in the
/// server's `ferry_tls_handshakes_total{role="server",resumed="true"}`.
@Suite(.timeLimit(.minutes(3)))
struct SessionResumptionTests {
    @Test func aWorkerResumesItsSessionAfterAFerrydRestart() async throws {
        let world = try await World(
            staleAfterSeconds: 30, batchSize: 50, serverArguments: ["--metrics-listen", "127.0.0.1:0"])
        defer { world.cleanUp() }
        try world.worker.start()
        // Connected (long-polling), so it has had its ticket since its handshake.
        let connected = try await waitUntil(timeout: .seconds(30), every: .milliseconds(100)) {
            let reply = try? await world.admin { client in
                try await client.unary(
                    FerryClient.Storage.listWorkers, FerryV1.ListWorkersRequest(), as: FerryV1.ListWorkersResponse.self)
            }
            return reply?.workers.contains { $0.workerID == "worker-1" && $0.connected } ?? false
        }
        try #require(connected, "the worker never connected:\n\(world.worker.log)")

        world.daemon.kill9()
        try await world.daemon.start(samePort: true)
        let port = try #require(MetricsScrape.port(inLog: world.daemon.log), "\(world.daemon.log)")
        let resumed = try await waitUntil(timeout: .seconds(60), every: .milliseconds(100)) {
            let scrape = try? await MetricsScrape.scrape(port: port)
            return (scrape?.value("ferry_tls_handshakes_total", ["role": "server", "resumed": "true"]) ?? 0) >= 1
        }
        let handshakes = (try? await MetricsScrape.scrape(port: port))?.samples.filter { $0.name.contains("handshake") }
        #expect(resumed, "no resumed handshake after the restart: \(String(describing: handshakes))")

        // The resumed connection carries real work.
        let storage = try await world.storage(files: 20)
        _ = try await world.admin { try await $0.startSync(storage) }
        try await world.expectCompletes(storage, files: 20)
    }
}
