import FerryRPC
import NIOCore
import Synchronization

/// One call on a client connection: queues writes for the event loop, exposes response parts.
final class FramedClientStream: ClientStream, Sendable {
    typealias PartSource = NIOThrowingAsyncSequenceProducer<
        ClientResponsePart, any Error, NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark,
        ClientStreamDemand
    >.Source

    let streamID: UInt32
    let responses: RPCAsyncSequence<ClientResponsePart>
    private let handler: NIOLoopBound<ClientConnectionHandler>
    private let outbound: OutboundMessageQueue
    private let maxMessageSize: Int
    private let closed = Atomic<Bool>(false)

    init(
        streamID: UInt32,
        responses: RPCAsyncSequence<ClientResponsePart>,
        handler: NIOLoopBound<ClientConnectionHandler>,
        outbound: OutboundMessageQueue,
        maxMessageSize: Int
    ) {
        self.streamID = streamID
        self.responses = responses
        self.handler = handler
        self.outbound = outbound
        self.maxMessageSize = maxMessageSize
    }

    /// Marks the stream closed; returns whether it was open.
    func markClosed() -> Bool {
        !closed.exchange(true, ordering: .acquiringAndReleasing)
    }

    func write(_ message: [UInt8]) async throws {
        guard !closed.load(ordering: .acquiring) else {
            throw RPCError(code: .cancelled, message: "The call is closed")
        }
        guard message.count <= maxMessageSize else {
            cancel(code: .resourceExhausted)
            throw RPCError.requestTooLarge(message.count, limit: maxMessageSize)
        }
        outbound.enqueue(message, streamID: streamID)
        await outbound.wait()
    }

    func finish() {
        guard !closed.load(ordering: .acquiring) else { return }
        let (handler, streamID) = (self.handler, self.streamID)
        // Through the queue, behind this stream's messages.
        outbound.enqueue {
            handler.value.send(.endStream(streamID: streamID))
        }
    }

    func cancel(code: Status.Code) {
        guard markClosed() else { return }
        let (handler, streamID) = (self.handler, self.streamID)
        outbound.enqueue {
            handler.value.cancelStream(streamID, code: code)
        }
    }
}

extension RPCError {
    /// A request message larger than the server accepts (its SETTINGS `MAX_MESSAGE_SIZE`).
    static func requestTooLarge(_ size: Int, limit: Int) -> RPCError {
        RPCError(code: .resourceExhausted, message: "Request message of \(size) bytes exceeds the server's \(limit)-byte limit")
    }
}

/// Resumes reading from the socket when a call's consumer drains its response buffer.
struct ClientStreamDemand: NIOAsyncSequenceProducerDelegate {
    let streamID: UInt32
    let handler: NIOLoopBound<ClientConnectionHandler>

    func produceMore() {
        let (handler, streamID) = (self.handler, self.streamID)
        handler.eventLoop.execute {
            handler.value.resumeReading(streamID: streamID)
        }
    }

    func didTerminate() {
        produceMore()
    }
}
