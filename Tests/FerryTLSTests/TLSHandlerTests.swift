import FerryTLS
import FerryTestSupport
import NIOCore
import NIOEmbedded
import NIOTLS
import Testing

@Suite("TLS handler, back to back in memory")
struct TLSHandlerTests {
    @Test("Handshake negotiates TLS 1.3 and ALPN and reveals the verified client identity")
    func handshake() throws {
        let pair = try BackToBack()
        try pair.connect()
        #expect(pair.clientEvents.handshakes.first?.negotiatedProtocol == "ferry/1")
        #expect(pair.serverEvents.handshakes.first?.version == "TLSv1.3")
        #expect(pair.serverEvents.handshakes.first?.peerSANs.contains("URI:ferry://worker/worker-1") == true)
        #expect(pair.serverEvents.handshakes.first?.peerSubject?.contains("CN=worker-1") == true)
    }

    @Test("Plaintext written before the handshake completes is delivered after it, both ways")
    func data() throws {
        let pair = try BackToBack()
        pair.client.write(ByteBuffer(string: "hello "), promise: nil)
        pair.client.writeAndFlush(ByteBuffer(string: "server"), promise: nil)
        try pair.connect()
        var received = ""
        while var buffer = try pair.server.readInbound(as: ByteBuffer.self) {
            received += buffer.readString(length: buffer.readableBytes)!
        }
        #expect(received == "hello server")
        pair.server.writeAndFlush(ByteBuffer(string: "hi"), promise: nil)
        try pair.interact()
        var reply = try pair.client.readInbound(as: ByteBuffer.self)
        #expect(reply?.readString(length: 2) == "hi")
    }

    @Test("Closing sends close_notify and the peer closes too")
    func closeNotify() throws {
        let pair = try BackToBack()
        try pair.connect()
        let closed = pair.client.close()
        try pair.interact()
        try closed.wait()
        #expect(!pair.server.isActive)
    }

    @Test("A client offering only another ALPN protocol is refused")
    func alpnMismatch() throws {
        let pair = try BackToBack(clientProtocols: ["h2"])
        try pair.connect()
        #expect(pair.serverEvents.handshakes.isEmpty)
        #expect(pair.serverEvents.errors.contains { ($0 as? TLSError)?.code == .handshakeFailed })
        #expect(!pair.server.isActive)
    }

    @Test("A client offering no ALPN at all is refused with the no_application_protocol alert (120)")
    func noALPN() throws {
        let pair = try BackToBack(clientProtocols: [])
        try pair.connect()
        #expect(pair.serverEvents.handshakes.isEmpty)
        #expect(!pair.server.isActive)
        #expect(pair.clientEvents.handshakes.isEmpty)
        let error = pair.clientEvents.errors.compactMap { $0 as? TLSError }.first
        #expect(error?.code == .handshakeFailed)
        #expect(error?.underlying.contains { $0.reason.contains("no application protocol") } == true, "\(String(describing: error))")
    }

    @Test("mTLS required and no client certificate: the server refuses the handshake")
    func missingClientCertificate() throws {
        let pair = try BackToBack(clientCertificate: false)
        try pair.connect()
        #expect(pair.serverEvents.handshakes.isEmpty)
        #expect(!pair.server.isActive)
        // The client learns why from the server's alert: certificate_required (116).
        let error = pair.clientEvents.errors.compactMap { $0 as? TLSError }.first
        #expect(error?.peerAlert == 116, "\(String(describing: error))")
        #expect(error?.peerRefusedCertificate == true)
    }

    @Test("A server certificate that does not match the host name is refused by the client")
    func wrongHostName() throws {
        let pair = try BackToBack(hostname: "elsewhere.example")
        try pair.connect()
        #expect(pair.clientEvents.handshakes.isEmpty)
        let error = pair.clientEvents.errors.compactMap { $0 as? TLSError }.first
        #expect(error?.code == .handshakeFailed)
        #expect(error?.message.contains("hostname mismatch") == true)
    }

    @Test("A peer that stalls mid-handshake is closed when the handshake timeout passes")
    func handshakeTimeout() throws {
        let pair = try BackToBack()
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: 1)
        try pair.server.connect(to: address).wait()  // The client never says anything.
        pair.loop.advanceTime(by: .seconds(9))
        #expect(pair.server.isActive)
        pair.loop.advanceTime(by: .seconds(1))
        #expect(!pair.server.isActive)
        #expect(pair.serverEvents.errors.contains { ($0 as? TLSError)?.code == .handshakeTimeout })
    }

    @Test("A server's handshake timeout counts again from the ClientHello: a late hello still gets its whole time")
    func handshakeTimeoutCountsFromTheFirstByte() throws {
        let pair = try BackToBack()
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: 1)
        try pair.server.connect(to: address).wait()
        pair.loop.advanceTime(by: .seconds(9))  // Accepted, but its bytes waited on a busy loop.
        try pair.client.connect(to: address).wait()
        while let hello = try pair.client.readOutbound(as: ByteBuffer.self) { try pair.server.writeInbound(hello) }
        pair.loop.advanceTime(by: .seconds(9))  // 18 s after accept, 9 s after the hello.
        #expect(pair.server.isActive, "timed out counting from accept")
        try pair.interact()
        #expect(pair.serverEvents.handshakes.count == 1 && pair.serverEvents.errors.isEmpty)
    }
}
