import FerryTLS
import FerryTestSupport
import Foundation
import NIOCore
import NIOEmbedded
import Testing

@Suite("TLS session resumption with tickets, back to back in memory")
struct TLSSessionResumptionTests {
    static let lifetime = Duration.seconds(3600)

    static func tickets(_ secret: UInt8 = 7) -> TLSConfiguration.SessionTickets {
        .init(keySecret: [UInt8](repeating: secret, count: 32), lifetime: lifetime)
    }

    /// Connects a fresh pair of channels over the given contexts; the server's handshake event.
    static func handshake(server: TLSContext, client: TLSContext) throws -> TLSHandshakeCompleted? {
        let pair = try BackToBack(serverContext: server, clientContext: client)
        try pair.connect()
        #expect(pair.clientEvents.errors.isEmpty && pair.serverEvents.errors.isEmpty, "client: \(pair.clientEvents.errors) server: \(pair.serverEvents.errors)")
        return pair.serverEvents.handshakes.first
    }

    @Test(
        "A client's second connection resumes, and the server still knows who it is",
        arguments: [TLSConfiguration.ClientCertificateVerification.optional, .required])
    func resumes(verification: TLSConfiguration.ClientCertificateVerification) throws {
        let server = try BackToBack.serverContext(verification: verification, sessionTickets: Self.tickets())
        let client = try BackToBack.clientContext()
        let first = try #require(try Self.handshake(server: server, client: client))
        #expect(!first.resumed)
        let second = try #require(try Self.handshake(server: server, client: client))
        #expect(second.resumed, "the ticket from the first connection was not used")
        #expect(second.version == "TLSv1.3" && second.negotiatedProtocol == "ferry/1")
        #expect(second.peerSANs.contains("URI:ferry://worker/worker-1"), "\(second.peerSANs)")
    }

    @Test("A restarted server with the same secret accepts the ticket; one with another secret does a full handshake")
    func restartAndOtherSecret() throws {
        let client = try BackToBack.clientContext()
        _ = try Self.handshake(server: try BackToBack.serverContext(sessionTickets: Self.tickets()), client: client)
        let restarted = try BackToBack.serverContext(sessionTickets: Self.tickets())
        #expect(try Self.handshake(server: restarted, client: client)?.resumed == true)
        let stranger = try BackToBack.serverContext(sessionTickets: Self.tickets(9))
        let full = try #require(try Self.handshake(server: stranger, client: client))
        #expect(!full.resumed && full.peerSANs.contains("URI:ferry://worker/worker-1"))
    }

    @Test("A ticket still resumes after the connection that received it was cut off (the server was killed)")
    func resumesAfterACutOffConnection() throws {
        let server = try BackToBack.serverContext(sessionTickets: Self.tickets())
        let client = try BackToBack.clientContext()
        do {
            let pair = try BackToBack(serverContext: server, clientContext: client)
            try pair.connect()
            // The TCP connection drops: no close_notify either way, as when ferryd is killed.
            pair.client.pipeline.fireChannelInactive()
            _ = try? pair.client.finish()
            _ = try? pair.server.finish()
        }
        #expect(try Self.handshake(server: server, client: client)?.resumed == true)
    }

    @Test("A server whose CA bundle changed does not resume sessions made under the old one")
    func changedTrustRoots() throws {
        let client = try BackToBack.clientContext()
        _ = try Self.handshake(server: try BackToBack.serverContext(sessionTickets: Self.tickets()), client: client)
        // The same secret, but a CA bundle with another CA added (worker-1 is still trusted).
        let pki = TestPKI.shared
        let bundle = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-ca-\(UUID().uuidString).pem").path
        defer { try? FileManager.default.removeItem(atPath: bundle) }
        let roots = try String(contentsOfFile: pki.caPath, encoding: .utf8) + (try String(contentsOfFile: pki.foreignCAPath, encoding: .utf8))
        try roots.write(toFile: bundle, atomically: true, encoding: .utf8)
        let changed = try BackToBack.serverContext(sessionTickets: Self.tickets(), trustRoots: bundle)
        let full = try #require(try Self.handshake(server: changed, client: client))
        #expect(!full.resumed, "a ticket from before the CA change resumed")
        #expect(full.peerSANs.contains("URI:ferry://worker/worker-1"))
    }

    @Test("Without tickets every handshake is a full one")
    func off() throws {
        let server = try BackToBack.serverContext()
        let client = try BackToBack.clientContext()
        for _ in 0..<2 { #expect(try Self.handshake(server: server, client: client)?.resumed == false) }
    }

    @Test("Ticket settings out of range are refused when the context is made")
    func badSettings() {
        #expect(throws: TLSError.self) {
            try BackToBack.serverContext(sessionTickets: .init(keySecret: [], lifetime: Self.lifetime))
        }
        #expect(throws: TLSError.self) {
            try BackToBack.serverContext(sessionTickets: .init(keySecret: [1], lifetime: .milliseconds(10)))
        }
    }
}
