import FerryRPC
import FerryTLS
import FerryTestSupport
import NIOCore
import Testing

@testable import FerryTransport

/// What PROTOCOL.md promises a client, checked with a raw client over TLS that sees every frame.
@Suite("Protocol conformance, raw client")
struct ProtocolConformanceTests {
    @Test("A ClientHello without ALPN gets the no_application_protocol alert (120), §2.2")
    func noALPN() async throws {
        try await TestServer.with { server in
            let noALPN = try TLSContext(
                configuration: .client(trustRootsPath: TestPKI.shared.caPath, applicationProtocols: []))
            let raw = try await RawTLSConnection.connect(port: server.port, context: noALPN)
            #expect(try await waitUntil { raw.isClosed })
            let reasons = raw.errors.compactMap { $0 as? TLSError }.flatMap(\.underlying).map(\.reason)
            #expect(reasons.contains { $0.contains("no application protocol") }, "\(raw.errors)")
            #expect(try raw.receivedFrames().isEmpty)
        }
    }
}
