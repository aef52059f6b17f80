import DequeModule
import FerryRPC
import FerryTLS
import NIOCore

/// A new call on a server connection, handed from the event loop to the connection's task.
struct IncomingStream: Sendable {
    let stream: ServerStream
    let cancellation: CancellationSignal
    /// Whether the call runs on the connection's event loop (its method's traits say so).
    let runsOnConnectionLoop: Bool
}

/// The server side of one connection: turns frames into calls and responses into frames.
///
/// Protocol decisions are made by ``ServerConnectionStateMachine``; this handler executes its
/// actions: it creates per-stream request sequences, runs deadlines, writes trailers, answers
/// graceful shutdown with GOAWAY (ending long-lived streams at once with `UNAVAILABLE`), and
/// pauses socket reads while any stream's buffer is full. It holds responses to the client's
/// `MAX_MESSAGE_SIZE`: a larger one ends its call with `RESOURCE_EXHAUSTED` instead.
final class ServerConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = [Frame]
    typealias OutboundIn = Frame
    typealias OutboundOut = Frame

    /// What the handler keeps for each open stream: a class, so that looking a stream up for
    /// each inbound message costs one reference, not a copy of every field.
    private final class StreamHandle {
        let requests: InboundMessages
        let responder: FramedServerStreamResponder
        let cancellation: CancellationSignal
        /// Whether graceful shutdown ends the stream at once instead of giving it the grace period.
        let isLongLived: Bool
        var deadline: Scheduled<Void>?

        init(
            requests: InboundMessages,
            responder: FramedServerStreamResponder,
            cancellation: CancellationSignal,
            isLongLived: Bool
        ) {
            self.requests = requests
            self.responder = responder
            self.cancellation = cancellation
            self.isLongLived = isLongLived
        }
    }

    private let configuration: ServerTransportConfiguration
    private let traits: @Sendable (MethodDescriptor) -> ServerMethodTraits
    private let incoming: AsyncStream<IncomingStream>.Continuation
    private var stateMachine: ServerConnectionStateMachine
    private var streams: [UInt32: StreamHandle] = [:]
    private var readGate = ReadGate()
    private let flusher = TickFlusher()
    private var peer = PeerIdentity(address: "unknown")
    /// The largest response the client accepts: its SETTINGS `MAX_MESSAGE_SIZE`, or the default.
    private var clientMaxMessageSize = FrameSettings.defaultMaxMessageSize
    private var context: ChannelHandlerContext?
    private var outbound: OutboundMessageQueue?
    private var gracePeriodTimer: Scheduled<Void>?
    /// Set once the connection is being closed; frames still in a batch are not served.
    private var connectionClosing = false

    init(
        configuration: ServerTransportConfiguration,
        traits: @escaping @Sendable (MethodDescriptor) -> ServerMethodTraits,
        incoming: AsyncStream<IncomingStream>.Continuation
    ) {
        self.configuration = configuration
        self.traits = traits
        self.incoming = incoming
        self.stateMachine = ServerConnectionStateMachine(maxConcurrentStreams: configuration.maxConcurrentStreams)
    }

    // MARK: Life cycle

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        self.outbound = OutboundMessageQueue(channel: context.channel) { bound.value.writeQueued($0) }
        if let address = context.channel.remoteAddress {
            peer.address = address.description
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        outbound?.close()
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        connectionClosing = true
        gracePeriodTimer?.cancel()
        for (streamID, _) in streams {
            abort(streamID, error: RPCError(code: .unavailable, message: "The connection closed"))
        }
        outbound?.resumeAll()
        incoming.finish()
        context.fireChannelInactive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            outbound?.resumeAll()
        }
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case let handshake as TLSHandshakeCompleted:
            peer.certificateSubject = handshake.peerSubject
            peer.certificateSANs = handshake.peerSANs
            let settings = FrameSettings(
                maxConcurrentStreams: UInt32(configuration.maxConcurrentStreams),
                maxMessageSize: UInt32(configuration.maxMessageSize)
            )
            context.writeAndFlush(wrapOutboundOut(.settings(settings)), promise: nil)
        case is ChannelShouldQuiesceEvent:
            beginGracefulShutdown(context: context)
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? FrameError {
            closeConnection(context: context, error: error.goAwayError, reason: error.message)
        } else {
            context.close(promise: nil)
        }
    }

    // MARK: Inbound frames

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        for frame in unwrapInboundIn(data) {
            // A frame that closed the connection ends the batch: nothing after it is served.
            guard !connectionClosing else { return }
            receive(frame, context: context)
        }
    }

    private func receive(_ frame: Frame, context: ChannelHandlerContext) {
        switch stateMachine.receive(frame) {
        case .none:
            break
        case .applySettings(let settings):
            if let limit = settings.maxMessageSize { clientMaxMessageSize = Int(limit) }
        case .openStream(let streamID):
            if case .requestHeaders(_, let path, let timeout, let metadata) = frame {
                openStream(streamID, path: path, timeout: timeout, metadata: metadata, context: context)
            }
        case .refuseStream(let streamID, let status):
            context.write(wrapOutboundOut(.trailers(streamID: streamID, status: status, metadata: [:])), promise: nil)
            scheduleFlush(context: context)
        case .deliverMessage(let streamID):
            if case .message(_, let payload) = frame {
                deliver(Array(payload.readableBytesView), to: streamID)
            }
        case .finishRequests(let streamID):
            streams[streamID]?.requests.finish()
        case .failStream(let streamID, let status):
            fail(streamID, status: status)
        case .cancelStream(let streamID):
            abort(streamID, error: RPCError(code: .cancelled, message: "The client cancelled the call"))
        case .closeConnection(let error, let reason):
            closeConnection(context: context, error: error, reason: reason)
        case .closeGracefully:
            connectionClosing = true
            context.close(promise: nil)
        }
    }

    private func openStream(
        _ streamID: UInt32,
        path: String,
        timeout: Duration?,
        metadata: Metadata,
        context: ChannelHandlerContext
    ) {
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let requests = InboundMessages(highWatermark: configuration.streamBufferSize) {
            // The handler took the buffer (or stopped reading): the connection may read again.
            bound.eventLoop.execute { bound.value.resumeReading(streamID: streamID) }
        }
        let responder = FramedServerStreamResponder(streamID: streamID, handler: bound, outbound: outbound!)
        let descriptor = MethodDescriptor(path: path)
        let methodTraits = descriptor.map(traits) ?? ServerMethodTraits()
        let handle = StreamHandle(
            requests: requests,
            responder: responder,
            cancellation: CancellationSignal(),
            isLongLived: methodTraits.endsAtShutdown
        )
        streams[streamID] = handle

        guard let descriptor else {
            _ = responder.markClosed()
            let status = Status(code: .unimplemented, message: "Malformed method path '\(path)'")
            finishStream(streamID, lastMessage: nil, status: status, trailers: [:])
            return
        }
        let deadline = timeout.map { ContinuousClock.now + $0 }
        if let timeout {
            // Cancelled whenever the stream ends, including when the connection closes.
            handle.deadline = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(timeout)) {
                self.deadlineExpired(streamID)
            }
        }
        let serverContext = ServerContext(descriptor: descriptor, metadata: metadata, peer: peer, deadline: deadline)
        let stream = ServerStream(
            context: serverContext,
            requests: RPCAsyncSequence(requests),
            responder: responder
        )
        incoming.yield(
            IncomingStream(
                stream: stream, cancellation: handle.cancellation, runsOnConnectionLoop: methodTraits.runsOnConnectionLoop))
    }

    private func deliver(_ message: [UInt8], to streamID: UInt32) {
        guard let handle = streams[streamID] else { return }
        if !handle.requests.append(message) {
            readGate.pause(streamID)
        }
    }

    // MARK: Read backpressure

    func read(context: ChannelHandlerContext) {
        if readGate.requestRead() {
            context.read()
        }
    }

    /// A stream's handler wants more requests.
    func resumeReading(streamID: UInt32) {
        if readGate.release(streamID) {
            context?.read()
        }
    }

    // MARK: Outbound, called on the loop by responders

    /// Handles what tasks queued for this connection, in order.
    func writeQueued(_ items: Deque<OutboundMessageQueue.Item>) {
        guard let context else { return }
        items.write(to: context) { streamID, size in
            guard streams[streamID] != nil else { return false }
            guard size <= clientMaxMessageSize else {
                fail(streamID, status: responseTooLarge(size))
                return false
            }
            return true
        }
        scheduleFlush(context: context)
    }

    /// The status of a call whose response exceeds the client's limit (PROTOCOL.md §9.1).
    private func responseTooLarge(_ size: Int) -> Status {
        let message = "Response message of \(size) bytes exceeds the client's \(clientMaxMessageSize)-byte limit"
        return Status(code: .resourceExhausted, message: message)
    }

    func finishStream(_ streamID: UInt32, lastMessage: ByteBuffer?, status: Status, trailers: Metadata) {
        guard let handle = streams.removeValue(forKey: streamID), let context else { return }
        handle.deadline?.cancel()
        handle.requests.finish()
        resumeReading(streamID: streamID)
        if let lastMessage, lastMessage.readableBytes > clientMaxMessageSize {
            let status = responseTooLarge(lastMessage.readableBytes)
            context.write(wrapOutboundOut(.trailers(streamID: streamID, status: status, metadata: [:])), promise: nil)
        } else {
            if let lastMessage {
                context.write(wrapOutboundOut(.message(streamID: streamID, payload: lastMessage)), promise: nil)
            }
            context.write(wrapOutboundOut(.trailers(streamID: streamID, status: status, metadata: trailers)), promise: nil)
        }
        scheduleFlush(context: context)
        streamEnded(streamID, context: context)
    }

    /// Ends a stream with a status the server chose, and stops its handler.
    ///
    /// - Parameter overridingQueuedEnd: Also when the handler has just finished and its own end
    ///   is still queued for the loop (it is then dropped); for a connection about to close.
    private func fail(_ streamID: UInt32, status: Status, overridingQueuedEnd: Bool = false) {
        guard let handle = streams[streamID], handle.responder.markClosed() || overridingQueuedEnd else { return }
        // The handler must not mistake a truncated request stream for a complete one.
        handle.requests.finish(throwing: RPCError(status: status))
        handle.cancellation.cancel()
        finishStream(streamID, lastMessage: nil, status: status, trailers: [:])
    }

    /// Stops a stream without trailers (the client cancelled, or the connection is gone).
    private func abort(_ streamID: UInt32, error: RPCError) {
        guard let handle = streams.removeValue(forKey: streamID) else { return }
        handle.deadline?.cancel()
        _ = handle.responder.markClosed()
        handle.requests.finish(throwing: error)
        handle.cancellation.cancel()
        resumeReading(streamID: streamID)
        if let context {
            streamEnded(streamID, context: context)
        }
    }

    private func deadlineExpired(_ streamID: UInt32) {
        guard let handle = streams[streamID], handle.responder.markClosed() else { return }
        handle.cancellation.cancel()
        handle.requests.finish(throwing: RPCError(code: .deadlineExceeded, message: "The deadline passed"))
        let status = Status(code: .deadlineExceeded, message: "The call's deadline passed on the server")
        finishStream(streamID, lastMessage: nil, status: status, trailers: [:])
    }

    private func streamEnded(_ streamID: UInt32, context: ChannelHandlerContext) {
        if case .closeGracefully = stateMachine.streamClosed(streamID) {
            connectionClosing = true
            context.flush()
            context.close(promise: nil)
        }
    }

    private func scheduleFlush(context: ChannelHandlerContext) {
        flusher.schedule(context)
    }

    // MARK: Connection end

    private func beginGracefulShutdown(context: ChannelHandlerContext) {
        guard let (lastStreamID, action) = stateMachine.beginGracefulShutdown() else { return }
        let goAway = Frame.goAway(lastStreamID: lastStreamID, error: .noError, debug: "The server is shutting down")
        context.writeAndFlush(wrapOutboundOut(goAway), promise: nil)
        if case .closeGracefully = action {
            context.close(promise: nil)
            return
        }
        // Long-lived streams would hold the connection for the whole grace period: they end now,
        // after the GOAWAY, and their clients reconnect (PROTOCOL.md §7.5).
        let status = Status(code: .unavailable, message: "The server is shutting down; reconnect")
        for (streamID, handle) in streams where handle.isLongLived {
            fail(streamID, status: status)
        }
        // The last stream to end closes the connection.
        guard !connectionClosing else { return }
        gracePeriodTimer = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(configuration.gracePeriod)) {
            self.gracePeriodEnded(context: context)
        }
    }

    /// Ends the calls still running when the grace period is over with `UNAVAILABLE`, stopping
    /// their handlers, and closes the connection after their trailers (PROTOCOL.md §7.5 step 5).
    private func gracePeriodEnded(context: ChannelHandlerContext) {
        gracePeriodTimer = nil
        let status = Status(code: .unavailable, message: "The server shut down before the call finished")
        for streamID in Array(streams.keys) {
            fail(streamID, status: status, overridingQueuedEnd: true)
        }
        // Ending the last stream closed the connection.
        guard !connectionClosing else { return }
        connectionClosing = true
        context.flush()
        context.close(promise: nil)
    }

    private func closeConnection(context: ChannelHandlerContext, error: GoAwayError, reason: String) {
        connectionClosing = true
        let goAway = Frame.goAway(lastStreamID: stateMachine.highestStreamID, error: error, debug: reason)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(goAway)).whenComplete { _ in
            channel.close(promise: nil)
        }
    }
}

@available(*, unavailable)
extension ServerConnectionHandler: Sendable {}
