import FerryTLS
import NIOCore
import NIOPosix
import Synchronization

@testable import FerryTransport

/// A TLS connection that sends arbitrary bytes and records the frames it gets back, to test
/// how the server treats a peer that breaks the protocol.
final class RawTLSConnection: Sendable {
    private let channel: any Channel
    private let collector: FrameCollector

    private init(channel: any Channel, collector: FrameCollector) {
        self.channel = channel
        self.collector = collector
    }

    /// Connects to `port`: over TLS with `context` (by default the worker certificate and
    /// ALPN `ferry/1`), or plain TCP when `tls` is false.
    static func connect(port: Int, tls: Bool = true, context: TLSContext? = nil) async throws -> RawTLSConnection {
        let collector = FrameCollector()
        let context = try context ?? TestServer.clientTLS()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if tls {
                        try channel.pipeline.syncOperations.addHandler(
                            TLSHandler.client(context: context, serverHostname: "localhost"))
                    }
                    try channel.pipeline.syncOperations.addHandler(collector)
                }
            }
            .connect(host: "127.0.0.1", port: port)
            .get()
        return RawTLSConnection(channel: channel, collector: collector)
    }

    /// Sends raw bytes (after the TLS handshake, if any).
    func send(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
    }

    /// Sends frames, encoded.
    func send(_ frames: [Frame]) async throws {
        var buffer = ByteBuffer()
        for frame in frames {
            FrameEncoder().encode(frame, into: &buffer)
        }
        try await send(Array(buffer.readableBytesView))
    }

    /// The errors the connection's pipeline reported (a failed TLS handshake, for example).
    var errors: [any Error] { collector.errors }

    /// Whether the server has closed the connection.
    var isClosed: Bool { !channel.isActive }

    /// The frames received so far, decoded.
    func receivedFrames() throws -> [Frame] {
        var processor = NIOSingleStepByteToMessageProcessor(FrameDecoder(maxMessageSize: 1 << 24))
        var frames: [Frame] = []
        try processor.process(buffer: ByteBuffer(bytes: collector.bytes)) { frames.append($0) }
        return frames
    }

    func close() async {
        try? await channel.close()
    }
}

/// Accumulates every byte the connection receives.
private final class FrameCollector: ChannelInboundHandler, Sendable {
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
