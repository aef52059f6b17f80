public import FerryTLS
import NIOCore
import NIOPosix
import Synchronization

/// A connection to a local server that sends whatever bytes a test gives it and records every
/// byte and error that comes back, to test how the server treats a peer (one that breaks the
/// protocol, offers no ALPN, or goes quiet). Over TLS, or plain TCP without a context.
public final class RawTLSClient: Sendable {
    private let channel: any Channel
    private let recorder: Recorder

    private init(channel: any Channel, recorder: Recorder) {
        self.channel = channel
        self.recorder = recorder
    }

    /// Connects to `127.0.0.1:port`.
    ///
    /// - Parameters:
    ///   - port: The server's port.
    ///   - tls: A client TLS context, or `nil` for plain TCP.
    ///   - serverHostname: The name the server certificate must match.
    /// - Returns: The connection; the TLS handshake may still be under way.
    public static func connect(port: Int, tls: TLSContext?, serverHostname: String = "localhost") async throws
        -> RawTLSClient
    {
        let recorder = Recorder()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(
                            TLSHandler.client(context: tls, serverHostname: serverHostname))
                    }
                    try channel.pipeline.syncOperations.addHandler(recorder)
                }
            }
            .connect(host: "127.0.0.1", port: port)
            .get()
        return RawTLSClient(channel: channel, recorder: recorder)
    }

    /// Sends raw bytes (after the TLS handshake, if any).
    public func send(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
    }

    /// Every byte received so far.
    public var received: [UInt8] { recorder.bytes }

    /// The errors the connection's pipeline reported (a failed TLS handshake, for example).
    public var errors: [any Error] { recorder.errors }

    /// Whether the connection is closed.
    public var isClosed: Bool { !channel.isActive }

    /// Closes the connection.
    public func close() async {
        try? await channel.close()
    }
}

/// Accumulates every byte and error the connection receives.
private final class Recorder: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer

    private let received = Mutex<[UInt8]>([])
    private let caught = Mutex<[any Error]>([])

    var bytes: [UInt8] { received.withLock { $0 } }
    var errors: [any Error] { caught.withLock { $0 } }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        received.withLock { $0.append(contentsOf: buffer.readableBytesView) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        caught.withLock { $0.append(error) }
    }
}
