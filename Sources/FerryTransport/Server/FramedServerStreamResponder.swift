import FerryRPC
import NIOCore
import Synchronization

/// The response side of one server stream: hops writes to the connection's event loop.
///
/// Writes are fire-and-forget onto the loop (ordered, flushed together at the end of the loop
/// tick), and suspend while the connection is backed up (see ``ConnectionWritability``). Once the stream is closed, from
/// either side, writes throw and `finish` does nothing.
final class FramedServerStreamResponder: ServerStreamResponder, Sendable {
    private let streamID: UInt32
    private let handler: NIOLoopBound<ServerConnectionHandler>
    private let writability: ConnectionWritability
    private let closed = Atomic<Bool>(false)

    init(streamID: UInt32, handler: NIOLoopBound<ServerConnectionHandler>, writability: ConnectionWritability) {
        self.streamID = streamID
        self.handler = handler
        self.writability = writability
    }

    /// Marks the stream closed; returns whether it was open. Called on any thread.
    func markClosed() -> Bool {
        !closed.exchange(true, ordering: .acquiringAndReleasing)
    }

    func write(_ message: [UInt8]) async throws {
        guard !closed.load(ordering: .acquiring) else {
            throw RPCError(code: .cancelled, message: "The stream is closed")
        }
        let buffer = ByteBuffer(bytes: message)
        let (streamID, handler, writability) = (self.streamID, self.handler, self.writability)
        writability.enqueue(buffer.readableBytes)
        handler.eventLoop.execute {
            handler.value.writeMessage(buffer, streamID: streamID)
            writability.dequeued(buffer.readableBytes)
        }
        await writability.wait()
    }

    func finish(lastMessage: [UInt8]?, status: Status, trailers: Metadata) {
        guard markClosed() else { return }
        let buffer = lastMessage.map { ByteBuffer(bytes: $0) }
        let streamID = self.streamID
        let handler = self.handler
        handler.eventLoop.execute {
            handler.value.finishStream(streamID, lastMessage: buffer, status: status, trailers: trailers)
        }
    }
}

/// Resumes reading from the socket when a stream's handler drains its request buffer.
struct ServerStreamDemand: NIOAsyncSequenceProducerDelegate {
    let streamID: UInt32
    let handler: NIOLoopBound<ServerConnectionHandler>

    func produceMore() {
        let handler = self.handler
        let streamID = self.streamID
        handler.eventLoop.execute {
            handler.value.resumeReading(streamID: streamID)
        }
    }

    func didTerminate() {
        produceMore()  // A handler that stopped reading must not keep the connection paused.
    }
}
