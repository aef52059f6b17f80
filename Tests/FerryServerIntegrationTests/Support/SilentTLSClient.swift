import FerryTLS
import FerryTestSupport
import FerryTransport
import NIOCore
import NIOPosix
import Synchronization

/// A TLS client that completes the handshake, sends an empty SETTINGS frame and then never
/// answers anything, recording the bytes it receives: a peer that has gone quiet.
final class SilentTLSClient: Sendable {
    private let channel: any Channel
    private let received: ReceivedBytes

    private init(channel: any Channel, received: ReceivedBytes) {
        self.channel = channel
        self.received = received
    }

    static func connect(port: Int) async throws -> SilentTLSClient {
        let tls = try TLSContext(configuration: .client(
            trustRootsPath: TestPKI.shared.caPath, applicationProtocols: [FerryProtocol.alpn]))
        let received = ReceivedBytes()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(TLSHandler.client(context: tls, serverHostname: "localhost"))
                    try channel.pipeline.syncOperations.addHandler(received)
                }
            }
            .connect(host: "127.0.0.1", port: port)
            .get()
        // SETTINGS with no entries: length 0, type 0, flags 0, stream 0.
        try await channel.writeAndFlush(ByteBuffer(bytes: [UInt8](repeating: 0, count: 10)))
        return SilentTLSClient(channel: channel, received: received)
    }

    /// Whether the server has closed the connection.
    var isClosed: Bool { !channel.isActive }

    /// The type and payload of every whole frame received so far.
    var frames: [(type: UInt8, payload: [UInt8])] {
        var bytes = received.bytes[...]
        var frames: [(type: UInt8, payload: [UInt8])] = []
        while bytes.count >= 10 {
            let length = bytes.prefix(4).reduce(0) { $0 << 8 | Int($1) }
            guard bytes.count >= 10 + length else { break }
            let start = bytes.startIndex
            frames.append((bytes[start + 4], Array(bytes[(start + 10)..<(start + 10 + length)])))
            bytes = bytes.dropFirst(10 + length)
        }
        return frames
    }

    func close() async {
        try? await channel.close()
    }
}

/// Accumulates every byte a connection receives.
private final class ReceivedBytes: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer

    private let received = Mutex<[UInt8]>([])

    var bytes: [UInt8] { received.withLock { $0 } }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        received.withLock { $0.append(contentsOf: buffer.readableBytesView) }
    }
}
