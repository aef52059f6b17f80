import FerryTLS
import FerryTestSupport
import NIOCore
import NIOEmbedded
import Testing

/// Collects the user events a TLS handler fires.
final class EventRecorder: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    var handshakes: [TLSHandshakeCompleted] = []
    var errors: [any Error] = []

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSHandshakeCompleted { handshakes.append(event) }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        errors.append(error)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
    }
}

/// A client and a server channel on one embedded loop, wired back to back.
struct BackToBack {
    let loop = EmbeddedEventLoop()
    let client: EmbeddedChannel
    let server: EmbeddedChannel
    let clientEvents = EventRecorder()
    let serverEvents = EventRecorder()

    init(
        clientProtocols: [String] = ["ferry/1"],
        verification: TLSConfiguration.ClientCertificateVerification = .required,
        clientCertificate: Bool = true,
        hostname: String = "localhost"
    ) throws {
        try self.init(
            serverContext: try Self.serverContext(verification: verification),
            clientContext: try Self.clientContext(protocols: clientProtocols, certificate: clientCertificate),
            hostname: hostname)
    }

    /// A pair over contexts made elsewhere (contexts outlive connections: sessions, tickets).
    init(serverContext: TLSContext, clientContext: TLSContext, hostname: String = "localhost") throws {
        client = EmbeddedChannel(loop: loop)
        server = EmbeddedChannel(loop: loop)
        try client.pipeline.syncOperations.addHandlers([
            TLSHandler.client(context: clientContext, serverHostname: hostname), clientEvents,
        ])
        try server.pipeline.syncOperations.addHandlers([TLSHandler.server(context: serverContext), serverEvents])
    }

    /// The test PKI's server, asking for client certificates as told.
    static func serverContext(
        verification: TLSConfiguration.ClientCertificateVerification = .required,
        sessionTickets: TLSConfiguration.SessionTickets? = nil,
        trustRoots: String = TestPKI.shared.caPath
    ) throws -> TLSContext {
        let pki = TestPKI.shared
        return try TLSContext(
            configuration: .server(
                certificateChainPath: pki.serverCertificate, privateKeyPath: pki.serverKey,
                trustRootsPath: trustRoots, clientCertificateVerification: verification,
                applicationProtocols: ["ferry/1"], sessionTickets: sessionTickets))
    }

    /// The test PKI's worker-1 client (or an anonymous one).
    static func clientContext(protocols: [String] = ["ferry/1"], certificate: Bool = true) throws -> TLSContext {
        let pki = TestPKI.shared
        return try TLSContext(
            configuration: .client(
                trustRootsPath: pki.caPath,
                certificateChainPath: certificate ? pki.workerCertificate : nil,
                privateKeyPath: certificate ? pki.workerKey : nil,
                applicationProtocols: protocols))
    }

    func connect() throws {
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: 1)
        try server.connect(to: address).wait()
        try client.connect(to: address).wait()
        try interact()
    }

    /// Moves bytes between the two channels until neither has anything to send.
    func interact() throws {
        for _ in 0..<100 {  // Bounded: a handshake takes a handful of round trips.
            var moved = false
            while let bytes = try client.readOutbound(as: ByteBuffer.self) {
                try server.writeInbound(bytes)
                moved = true
            }
            while let bytes = try server.readOutbound(as: ByteBuffer.self) {
                try client.writeInbound(bytes)
                moved = true
            }
            if !moved { return }
        }
        Issue.record("the channels never went quiet")
    }
}
