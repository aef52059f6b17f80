import FerryProto
import FerryRPC
import FerryTLS
import FerryTestSupport
import FerryTransport
import Foundation
import Testing

/// Issue 9, item 8: a `ferryd` out of file descriptors pauses accepting instead of spinning,
/// keeps serving the connections it has, and accepts again once descriptors are free.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct DescriptorExhaustionTests {
    static let limit = 128

    @Test func outOfDescriptorsFerrydServesExistingConnectionsWithoutSpinningAndAcceptsAgainLater() async throws {
        let daemon = try FerrydProcess(staleAfterSeconds: 10, descriptorLimit: Self.limit)
        defer { daemon.cleanUp() }
        try await daemon.start()
        let pid = try #require(daemon.pid)
        let existing = try Self.healthClient(port: daemon.port)
        #expect(try await Self.check(existing.client) == .serving)

        // Twice as many connections as descriptors: ferryd accepts until it runs out, the
        // rest wait in the backlog.
        let flood = try RawConnections(port: daemon.port, count: 2 * Self.limit)
        defer { flood.closeAll() }
        let exhausted = try await waitUntil(timeout: .seconds(20)) {
            ProcessStats.openDescriptors(pid) >= Self.limit - 2
        }
        try #require(exhausted, "ferryd holds \(ProcessStats.openDescriptors(pid)) descriptors")

        // A measuring window, not a wait: a busy accept loop would burn most of a core.
        guard let cpuBefore = try? ProcessStats.cpuSeconds(pid) else {
            Issue.record("ferryd exited when it ran out of descriptors; its log:\n\(daemon.log)")
            return
        }
        let windowStart = ContinuousClock.now
        try await Task.sleep(for: .seconds(2))
        guard let cpuAfter = try? ProcessStats.cpuSeconds(pid) else {
            Issue.record("ferryd exited while out of descriptors; its log:\n\(daemon.log)")
            return
        }
        let cpu = cpuAfter - cpuBefore
        let window = ContinuousClock.now - windowStart
        #expect(cpu < 0.25 * Double(window.components.seconds), "ferryd used \(cpu) s of CPU in \(window)")

        let asked = ContinuousClock.now
        #expect(try await Self.check(existing.client) == .serving)
        // Served at once, not after descriptors are freed; generous, as the other suites may be
        // loading both cores (1.5 s was seen).
        #expect(ContinuousClock.now - asked < .seconds(5), "a health check on an existing connection waited")

        flood.closeAll()
        let accepting = try await waitUntil(timeout: .seconds(10)) {
            (try? await daemon.withClient(.anonymous) { try await Self.check($0) }) == .serving
        }
        #expect(accepting, "ferryd did not accept a new connection after descriptors were freed")
        await existing.transport.close()
    }

    // MARK: Helpers

    private static func healthClient(port: Int) throws -> (client: FerryClient, transport: FerryClientTransport) {
        let tls = try TLSContext(configuration: .client(
            trustRootsPath: TestPKI.shared.caPath, applicationProtocols: [FerryProtocol.alpn]))
        let transport = FerryClientTransport(
            host: "127.0.0.1", port: port, serverHostname: "localhost", tls: tls,
            configuration: ClientTransportConfiguration())
        return (FerryClient(rpc: RPCClient(transport: transport), metadata: [:]), transport)
    }

    private static func check(_ client: FerryClient) async throws -> FerryV1.ServingStatus {
        try await client.unary(
            FerryV1.Methods.Health.check, FerryV1.HealthCheckRequest(), as: FerryV1.HealthCheckResponse.self
        ).status
    }
}
