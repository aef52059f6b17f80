import DequeModule
import FerryRPC
import FerryTLS
import NIOCore

/// The client side of one connection: opens streams, routes response frames to their calls,
/// enforces client-side deadlines, and respects the server's stream limit by queueing opens.
final class ClientConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = [Frame]
    typealias OutboundIn = Frame
    typealias OutboundOut = Frame

    /// A request to open a stream, queued while the server's stream limit is reached.
    struct OpenRequest {
        let path: String
        /// When the call's deadline passes, counted from the call's start: a call that waited
        /// for the stream limit has that much less time once it is open.
        let deadline: NIODeadline?
        let metadata: Metadata
        /// The call's only request, sent right after its headers and followed by its end.
        let onlyRequest: [UInt8]?
        /// The call's stream id once opened; also what a cancel finds a queued opening by.
        let number: StreamNumber
        let reply: OpenReply
    }

    /// How the caller of an opening learns its outcome.
    enum OpenReply {
        /// The caller waits for the stream, made on the loop (a streaming call, whose writes
        /// need the stream id).
        case promise(EventLoopPromise<FramedClientStream>)
        /// The caller holds the stream already and reads the outcome from its responses (a
        /// unary or server-streaming call, which does not wait for the loop to open it).
        case call(source: FramedClientStream.PartSource, stream: FramedClientStream)

        /// Tells the caller that the opening failed: its promise fails, or its stream closes and
        /// its responses end with the error's status.
        func fail(with error: RPCError) {
            switch self {
            case .promise(let promise):
                promise.fail(error)
            case .call(let source, let stream):
                _ = stream.markClosed()
                _ = source.yield(.trailers(error.status, error.metadata))
                source.finish()
            }
        }
    }

    /// An opening waiting for the stream limit, with the timer that fails it at its deadline.
    private struct QueuedOpen {
        let request: OpenRequest
        let expiry: Scheduled<Void>?

        /// Stops the deadline's timer; the caller settles the request.
        func dequeued() -> OpenRequest {
            expiry?.cancel()
            return request
        }
    }

    private struct StreamHandle {
        let parts: FramedClientStream.PartSource
        let stream: FramedClientStream
        var deadline: Scheduled<Void>?
    }

    private let configuration: ClientTransportConfiguration
    private var streams: [UInt32: StreamHandle] = [:]
    private var queuedOpens = Deque<QueuedOpen>()
    private var readGate = ReadGate()
    private let flusher = TickFlusher()
    private var nextStreamID: UInt32 = 1
    private var serverMaxConcurrentStreams = 100
    /// The largest request the server accepts, from its SETTINGS.
    private(set) var serverMaxMessageSize = FrameSettings.defaultMaxMessageSize
    private var goAwayReceived = false
    private var closeError: (any Error)?
    /// Set once the connection is closing: frames still in a batch are ignored.
    private var readsStopped = false
    private var context: ChannelHandlerContext?
    /// The queue tasks write through to this connection (set while the handler is in the pipeline).
    private(set) var outbound: OutboundMessageQueue?
    private var readyPromise: EventLoopPromise<Void>?

    /// Succeeds once the server's SETTINGS arrived; fails if the connection ends before.
    private(set) var ready: EventLoopFuture<Void>?

    /// Called on the loop when the connection stops accepting new calls (GOAWAY or close).
    var onUnusable: (@Sendable () -> Void)?

    init(configuration: ClientTransportConfiguration) {
        self.configuration = configuration
    }

    // MARK: Life cycle

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        self.outbound = OutboundMessageQueue(channel: context.channel) { bound.value.writeQueued($0) }
        let promise = context.eventLoop.makePromise(of: Void.self)
        readyPromise = promise
        ready = promise.futureResult
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        // A channel that never became active (the connect failed) gets no channelInactive.
        readyPromise?.fail(RPCError(code: .unavailable, message: "The connection could not be established"))
        readyPromise = nil
        outbound?.close()
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        readsStopped = true
        let error = RPCError.connectionClosed(by: closeError)
        readyPromise?.fail(error)
        readyPromise = nil
        for streamID in Array(streams.keys) {
            endLocally(streamID, status: error.status)
        }
        while let open = queuedOpens.popFirst() {
            open.dequeued().reply.fail(with: error)
        }
        outbound?.resumeAll()
        becameUnusable()
        context.fireChannelInactive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            outbound?.resumeAll()
        }
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is TLSHandshakeCompleted {
            let settings = FrameSettings(maxConcurrentStreams: 0, maxMessageSize: UInt32(configuration.maxMessageSize))
            context.writeAndFlush(wrapOutboundOut(.settings(settings)), promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if closeError == nil {
            closeError = error
        }
        context.close(promise: nil)
    }

    private func becameUnusable() {
        if let onUnusable {
            self.onUnusable = nil
            onUnusable()
        }
    }

    // MARK: Opening streams

    func openStream(_ request: OpenRequest) {
        guard !goAwayReceived, let context, context.channel.isActive, let outbound else {
            request.reply.fail(with: RPCError(code: .unavailable, message: "The connection is closing"))
            return
        }
        if case .call(_, let stream) = request.reply, stream.isClosed {
            // Its caller cancelled it while the opening waited (in the outbound queue, or for the
            // stream limit): nothing of it is sent, and its own cancel, still queued, finds nothing.
            request.reply.fail(with: RPCError(status: Self.endedLocally(.cancelled)))
            return
        }
        guard streams.count < serverMaxConcurrentStreams else {
            queue(request, context: context)
            return
        }
        let timeout = request.deadline.map { $0 - .now() }
        if let timeout, timeout <= .zero {
            request.reply.fail(with: RPCError(status: Self.deadlinePassedBeforeSending))
            return
        }
        let streamID = nextStreamID
        nextStreamID += 2
        request.number.assign(streamID)
        let (source, stream): (FramedClientStream.PartSource, FramedClientStream)
        switch request.reply {
        case .promise:
            (source, stream) = FramedClientStream.make(
                number: request.number,
                handler: NIOLoopBound(self, eventLoop: context.eventLoop),
                outbound: outbound,
                bufferSize: configuration.streamBufferSize,
                maxMessageSize: serverMaxMessageSize
            )
        case .call(let callSource, let callStream):
            (source, stream) = (callSource, callStream)
        }
        var handle = StreamHandle(parts: source, stream: stream)
        if let timeout {
            // Cancelled whenever the stream ends, including when the connection closes.
            handle.deadline = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
                self.cancelStream(streamID, code: .deadlineExceeded)
            }
        }
        streams[streamID] = handle
        let headers = Frame.requestHeaders(
            streamID: streamID,
            path: request.path,
            timeout: timeout.map { .nanoseconds($0.nanoseconds) },
            metadata: request.metadata
        )
        send(headers)
        if let message = request.onlyRequest {
            send(.message(streamID: streamID, payload: context.channel.allocator.buffer(bytes: message)))
            send(.endStream(streamID: streamID))
        }
        if case .promise(let promise) = request.reply {
            promise.succeed(stream)
        }
    }

    /// A call whose deadline passed before it was sent (while queued, or given none to spare)
    /// ends here, with nothing sent.
    private static let deadlinePassedBeforeSending = Status(
        code: .deadlineExceeded, message: "The call's deadline passed before it could be sent")

    /// Holds an opening until a stream ends; its deadline keeps running meanwhile.
    private func queue(_ request: OpenRequest, context: ChannelHandlerContext) {
        let expiry = request.deadline.map { deadline in
            context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
                self.abandonQueuedOpen(request.number, status: Self.deadlinePassedBeforeSending)
            }
        }
        queuedOpens.append(QueuedOpen(request: request, expiry: expiry))
    }

    /// Fails the opening of the call holding `number` with `status` if it still waits for the
    /// stream limit (its caller was cancelled, or its deadline passed); one already opened is
    /// left alone.
    func abandonQueuedOpen(_ number: StreamNumber, status: Status) {
        guard let index = queuedOpens.firstIndex(where: { $0.request.number === number }) else { return }
        queuedOpens.remove(at: index).dequeued().reply.fail(with: RPCError(status: status))
    }

    private func openQueuedStreams() {
        while streams.count < serverMaxConcurrentStreams, let open = queuedOpens.popFirst() {
            openStream(open.dequeued())
        }
    }

    // MARK: Outbound, called on the loop by streams

    func send(_ frame: Frame) {
        guard let context, streams[frame.streamID] != nil else { return }
        context.write(wrapOutboundOut(frame), promise: nil)
        flusher.schedule(context)
    }

    /// Handles what tasks queued for this connection, in order.
    func writeQueued(_ items: Deque<OutboundMessageQueue.Item>) {
        guard let context else { return }
        items.write(to: context) { streamID, _ in streams[streamID] != nil }
        flusher.schedule(context)
    }

    /// Cancels a call whose opening may still wait for the server's stream limit.
    func cancelStream(_ number: StreamNumber, code: Status.Code) {
        if let streamID = number.assigned {
            cancelStream(streamID, code: code)
        } else {
            abandonQueuedOpen(number, status: Self.endedLocally(code))
        }
    }

    func cancelStream(_ streamID: UInt32, code: Status.Code) {
        guard streams[streamID] != nil else { return }
        send(.cancel(streamID: streamID, code: code))
        endLocally(streamID, status: Self.endedLocally(code))
    }

    /// The status of a call this side ended with `code`.
    private static func endedLocally(_ code: Status.Code) -> Status {
        Status(code: code, message: code == .deadlineExceeded ? "The call's deadline passed" : "The call was cancelled")
    }

    /// Ends a call on this side with a status of our own making.
    private func endLocally(_ streamID: UInt32, status: Status) {
        guard let handle = streams.removeValue(forKey: streamID) else { return }
        handle.deadline?.cancel()
        _ = handle.stream.markClosed()
        _ = handle.parts.yield(.trailers(status, [:]))
        handle.parts.finish()
        resumeReading(streamID: streamID)
        openQueuedStreams()
    }

    // MARK: Inbound frames

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        for frame in unwrapInboundIn(data) {
            // A frame that made us close the connection ends the batch.
            guard !readsStopped else { return }
            receive(frame, context: context)
        }
    }

    private func receive(_ frame: Frame, context: ChannelHandlerContext) {
        switch frame {
        case .settings(let settings):
            if let limit = settings.maxConcurrentStreams { serverMaxConcurrentStreams = max(1, Int(limit)) }
            if let limit = settings.maxMessageSize { serverMaxMessageSize = Int(limit) }
            readyPromise?.succeed()
            readyPromise = nil
            openQueuedStreams()
        case .responseHeaders(let streamID, let metadata):
            deliver(.metadata(metadata), to: streamID)
        case .message(let streamID, let payload):
            deliver(.message(Array(payload.readableBytesView)), to: streamID)
        case .oversizedMessage(let streamID, let length):
            guard streams[streamID] != nil else { return }
            send(.cancel(streamID: streamID, code: .resourceExhausted))
            let message = "Response message of \(length) bytes exceeds the \(configuration.maxMessageSize)-byte limit"
            endLocally(streamID, status: Status(code: .resourceExhausted, message: message))
        case .trailers(let streamID, let status, let metadata):
            guard let handle = streams.removeValue(forKey: streamID) else { return }
            handle.deadline?.cancel()
            _ = handle.stream.markClosed()
            _ = handle.parts.yield(.trailers(status, metadata))
            handle.parts.finish()
            resumeReading(streamID: streamID)
            openQueuedStreams()
        case .goAway(let lastStreamID, let error, let debug):
            receiveGoAway(lastStreamID: lastStreamID, error: error, debug: debug, context: context)
        case .ping, .requestHeaders, .endStream, .cancel:
            closeError = FrameError(.protocolViolation, "The server sent a client-only frame")
            readsStopped = true
            context.close(promise: nil)
        }
    }

    private func deliver(_ part: ClientResponsePart, to streamID: UInt32) {
        guard let handle = streams[streamID] else { return }
        if case .stopProducing = handle.parts.yield(part) {
            readGate.pause(streamID)
        }
    }

    private func receiveGoAway(lastStreamID: UInt32, error: GoAwayError, debug: String, context: ChannelHandlerContext) {
        goAwayReceived = true
        becameUnusable()
        let status = Status(code: .unavailable, message: "The server is going away (\(error)): \(debug)")
        for streamID in streams.keys where streamID > lastStreamID {
            endLocally(streamID, status: status)
        }
        while let open = queuedOpens.popFirst() {
            open.dequeued().reply.fail(with: RPCError(status: status))
        }
        if error != .noError {
            closeError = RPCError(status: status)
        }
    }

    // MARK: Read backpressure

    func read(context: ChannelHandlerContext) {
        if readGate.requestRead() {
            context.read()
        }
    }

    func resumeReading(streamID: UInt32) {
        if readGate.release(streamID) {
            context?.read()
        }
    }
}

@available(*, unavailable)
extension ClientConnectionHandler: Sendable {}
