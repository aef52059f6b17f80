import FerryRPC
import NIOCore
import Synchronization

/// The response side of one server stream: queues writes for the connection's event loop.
///
/// Writes go through the connection's ``OutboundMessageQueue`` (ordered, written in batches),
/// and suspend while the connection is backed up. Once the stream is closed, from either side,
/// writes throw and `finish` does nothing.
final class FramedServerStreamResponder: ServerStreamResponder, Sendable {
    private let streamID: UInt32
    private let handler: NIOLoopBound<ServerConnectionHandler>
    private let outbound: OutboundMessageQueue
    private let closed = Atomic<Bool>(false)

    init(streamID: UInt32, handler: NIOLoopBound<ServerConnectionHandler>, outbound: OutboundMessageQueue) {
        self.streamID = streamID
        self.handler = handler
        self.outbound = outbound
    }

    /// Marks the stream closed; returns whether it was open. Called on any thread.
    func markClosed() -> Bool {
        !closed.exchange(true, ordering: .acquiringAndReleasing)
    }

    func write(_ message: [UInt8]) async throws {
        guard !closed.load(ordering: .acquiring) else {
            throw RPCError(code: .cancelled, message: "The stream is closed")
        }
        outbound.enqueue(message, streamID: streamID)
        await outbound.wait()
    }

    func finish(lastMessage: [UInt8]?, status: Status, trailers: Metadata) {
        guard markClosed() else { return }
        let buffer = lastMessage.map { ByteBuffer(bytes: $0) }
        let streamID = self.streamID
        let handler = self.handler
        // Through the queue, behind this stream's messages.
        outbound.enqueue {
            handler.value.finishStream(streamID, lastMessage: buffer, status: status, trailers: trailers)
        }
    }
}
