import FerryRPC
import NIOCore
import Synchronization

/// One call on a client connection: queues writes for the event loop, exposes response parts.
final class FramedClientStream: ClientStream, Sendable {
    typealias PartSource = NIOThrowingAsyncSequenceProducer<
        ClientResponsePart, any Error, NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark,
        ClientStreamDemand
    >.Source

    /// The stream id, once the loop has opened the stream.
    let number: StreamNumber
    let responses: RPCAsyncSequence<ClientResponsePart>
    private let handler: NIOLoopBound<ClientConnectionHandler>
    private let outbound: OutboundMessageQueue
    private let maxMessageSize: Int
    private let closed = Atomic<Bool>(false)

    private init(
        number: StreamNumber,
        responses: RPCAsyncSequence<ClientResponsePart>,
        handler: NIOLoopBound<ClientConnectionHandler>,
        outbound: OutboundMessageQueue,
        maxMessageSize: Int
    ) {
        self.number = number
        self.responses = responses
        self.handler = handler
        self.outbound = outbound
        self.maxMessageSize = maxMessageSize
    }

    /// A call's stream and the source its response parts are yielded to. Safe on any thread:
    /// the stream id is assigned (``StreamNumber/assign(_:)``) when the loop opens the stream.
    ///
    /// - Parameters:
    ///   - number: The stream id, assigned already or later.
    ///   - handler: The connection's handler.
    ///   - outbound: The connection's queue to the loop.
    ///   - bufferSize: Response parts buffered before the connection stops reading.
    ///   - maxMessageSize: The largest request the server accepts.
    static func make(
        number: StreamNumber,
        handler: NIOLoopBound<ClientConnectionHandler>,
        outbound: OutboundMessageQueue,
        bufferSize: Int,
        maxMessageSize: Int
    ) -> (source: PartSource, stream: FramedClientStream) {
        let sequence = NIOThrowingAsyncSequenceProducer.makeSequence(
            elementType: ClientResponsePart.self,
            failureType: (any Error).self,
            backPressureStrategy: NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark(
                lowWatermark: 4,
                highWatermark: bufferSize
            ),
            finishOnDeinit: false,
            delegate: ClientStreamDemand(number: number, handler: handler)
        )
        let stream = FramedClientStream(
            number: number,
            responses: RPCAsyncSequence(wrapping: sequence.sequence),
            handler: handler,
            outbound: outbound,
            maxMessageSize: maxMessageSize
        )
        return (sequence.source, stream)
    }

    /// Whether the stream is closed (ended, or cancelled by its caller).
    var isClosed: Bool { closed.load(ordering: .acquiring) }

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
        // Only streaming calls write, and their opening is awaited, so the id is assigned.
        outbound.enqueue(message, streamID: number.assigned ?? 0)
        await outbound.wait()
    }

    func finish() {
        guard !closed.load(ordering: .acquiring) else { return }
        let (handler, number) = (self.handler, self.number)
        // Through the queue, behind this stream's messages.
        outbound.enqueue {
            if let streamID = number.assigned { handler.value.send(.endStream(streamID: streamID)) }
        }
    }

    func cancel(code: Status.Code) {
        guard markClosed() else { return }
        let (handler, number) = (self.handler, self.number)
        // Through the queue, behind the stream's opening (which a unary call does not await).
        outbound.enqueue {
            handler.value.cancelStream(number, code: code)
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
    let number: StreamNumber
    let handler: NIOLoopBound<ClientConnectionHandler>

    func produceMore() {
        let (handler, number) = (self.handler, self.number)
        handler.eventLoop.execute {
            // Before the stream opened nothing was read for it, so there is nothing to resume.
            if let streamID = number.assigned { handler.value.resumeReading(streamID: streamID) }
        }
    }

    func didTerminate() {
        produceMore()
    }
}
