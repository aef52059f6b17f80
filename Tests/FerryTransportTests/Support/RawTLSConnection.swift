import FerryTLS
import FerryTestSupport
import NIOCore

@testable import FerryTransport

/// A TLS connection that sends arbitrary bytes or frames and decodes the frames it gets back,
/// to test how the server treats a peer that breaks the protocol.
final class RawTLSConnection: Sendable {
    private let client: RawTLSClient

    private init(client: RawTLSClient) {
        self.client = client
    }

    /// Connects to `port`: over TLS with `context` (by default the worker certificate and
    /// ALPN `ferry/1`), or plain TCP when `tls` is false.
    static func connect(port: Int, tls: Bool = true, context: TLSContext? = nil) async throws -> RawTLSConnection {
        var tlsContext: TLSContext?
        if tls {
            tlsContext = try context ?? TestServer.clientTLS()
        }
        return RawTLSConnection(client: try await RawTLSClient.connect(port: port, tls: tlsContext))
    }

    /// Sends raw bytes (after the TLS handshake, if any).
    func send(_ bytes: [UInt8]) async throws {
        try await client.send(bytes)
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
    var errors: [any Error] { client.errors }

    /// Whether the server has closed the connection.
    var isClosed: Bool { client.isClosed }

    /// The frames received so far, decoded.
    func receivedFrames() throws -> [Frame] {
        let processor = NIOSingleStepByteToMessageProcessor(FrameDecoder(maxMessageSize: 1 << 24))
        var frames: [Frame] = []
        try processor.process(buffer: ByteBuffer(bytes: client.received)) { frames.append($0) }
        return frames
    }

    func close() async {
        await client.close()
    }
}
