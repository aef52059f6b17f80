import Metrics
public import NIOCore
import NIOTLS

/// A channel handler that runs TLS over OpenSSL memory BIOs: ciphertext below, plaintext above.
///
/// Reads: ciphertext is fed to OpenSSL as it arrives and decrypted into one buffer reused for the
/// whole read burst, which is passed on at `channelReadComplete`. Writes: plaintext writes are
/// queued with their promises until flush (and until the handshake completes), then encrypted
/// together and sent as a single network write. Closing sends close_notify, bounded by the
/// configured shutdown timeout.
public final class TLSHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    private enum ConnectionState {
        case idle
        case handshaking
        case active
        case closing
        case closed
    }

    private let tlsContext: TLSContext
    private let serverHostname: String?
    private var connection: TLSConnection?
    private var state = ConnectionState.idle
    private var pendingWrites = MarkedCircularBuffer<(data: ByteBuffer, promise: EventLoopPromise<Void>?)>(
        initialCapacity: 8
    )
    private var plaintext: ByteBuffer?
    private var handshakeTimer: Scheduled<Void>?
    private var shutdownTimer: Scheduled<Void>?
    private var closePromise: EventLoopPromise<Void>?

    /// What the handshake negotiated, once it has completed.
    public private(set) var handshakeResult: TLSHandshakeCompleted?

    private init(context: TLSContext, serverHostname: String?) {
        self.tlsContext = context
        self.serverHostname = serverHostname
    }

    /// A handler that accepts TLS connections.
    ///
    /// - Parameter context: A server context.
    /// - Returns: The handler.
    public static func server(context: TLSContext) -> TLSHandler {
        precondition(context.configuration.role == .server, "a server handler needs a server context")
        return TLSHandler(context: context, serverHostname: nil)
    }

    /// A handler that opens a TLS connection to a server and verifies it.
    ///
    /// - Parameters:
    ///   - context: A client context.
    ///   - serverHostname: The name (or IP address) the server's certificate must match; sent as SNI.
    /// - Returns: The handler.
    public static func client(context: TLSContext, serverHostname: String) -> TLSHandler {
        precondition(context.configuration.role == .client, "a client handler needs a client context")
        return TLSHandler(context: context, serverHostname: serverHostname)
    }

    // MARK: Life cycle

    public func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive {
            startHandshake(context: context)
        }
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimers()
        failPendingWrites(ChannelError.ioOnClosedChannel)
        connection = nil  // Frees the SSL session; no cycles remain.
    }

    public func channelActive(context: ChannelHandlerContext) {
        startHandshake(context: context)
        context.fireChannelActive()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        let wasHandshaking = state == .handshaking || state == .idle
        state = .closed
        cancelTimers()
        failPendingWrites(ChannelError.ioOnClosedChannel)
        if wasHandshaking {
            context.fireErrorCaught(
                TLSError(code: .unexpectedClose, message: "The connection closed during the handshake")
            )
        }
        closePromise?.succeed()
        closePromise = nil
        context.fireChannelInactive()
    }

    private func startHandshake(context: ChannelHandlerContext) {
        guard state == .idle else { return }
        state = .handshaking
        startHandshakeTimer(context: context)
        // A server speaks only after the ClientHello, so its session is made when the first bytes
        // arrive: the SSL object and the buffers OpenSSL allocates for a handshake (about 40 KiB)
        // are never spent on connections that send nothing.
        if tlsContext.configuration.role == .client, openSession(context: context) {
            advanceHandshake(context: context)  // Sends the ClientHello.
        }
    }

    /// Closes the connection unless the handshake completes within the configured timeout from
    /// now. A server starts it again at the ClientHello's first bytes, so in a reconnect storm a
    /// connection whose bytes wait behind other handshakes on a busy loop still gets its whole
    /// timeout for its own handshake (a connection that never sends anything is closed a timeout
    /// after it was accepted).
    private func startHandshakeTimer(context: ChannelHandlerContext) {
        handshakeTimer?.cancel()
        let timeout = TimeAmount(tlsContext.configuration.handshakeTimeout)
        // Timers and callbacks hold the handler strongly and are always cancelled or completed:
        // a weak reference would move its reference count to a side table and slow every
        // retain of it for the connection's life.
        handshakeTimer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            guard self.state == .handshaking else { return }
            self.fail(context: context, TLSError(code: .handshakeTimeout, message: "The TLS handshake timed out"))
        }
    }

    /// Creates the TLS session; on failure fails the connection and returns `false`.
    private func openSession(context: ChannelHandlerContext) -> Bool {
        do {
            connection = try TLSConnection(context: tlsContext, serverHostname: serverHostname)
            return true
        } catch {
            fail(context: context, error)
            return false
        }
    }

    // MARK: Reading

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if connection == nil && state == .handshaking {
            guard openSession(context: context) else { return }  // A server's first bytes: the ClientHello.
            startHandshakeTimer(context: context)
        }
        guard let connection, state == .handshaking || state == .active || state == .closing else { return }
        connection.feedCiphertext(unwrapInboundIn(data))
        if state == .handshaking {
            advanceHandshake(context: context)
        }
        if state == .active || state == .closing {
            decrypt(context: context)
        }
    }

    public func channelReadComplete(context: ChannelHandlerContext) {
        deliverPlaintext(context: context)
        context.fireChannelReadComplete()
    }

    /// Passes on what a read burst decrypted. The decrypt buffer is reused across the reads of
    /// one burst and released at its end, so an idle connection holds no 16 KiB buffer.
    private func deliverPlaintext(context: ChannelHandlerContext) {
        guard let buffer = plaintext.take(), buffer.readableBytes > 0 else { return }
        context.fireChannelRead(wrapInboundOut(buffer))
    }

    private func decrypt(context: ChannelHandlerContext) {
        guard let connection else { return }
        // Taken out so the buffer stays uniquely referenced while OpenSSL decrypts into it.
        var buffer = plaintext.take() ?? context.channel.allocator.buffer(capacity: 16_384)
        let result = connection.readPlaintext(into: &buffer)
        plaintext = buffer
        sendCiphertext(context: context, promise: nil)
        switch result {
        case .incomplete, .complete:
            break
        case .closed:
            // The peer sent close_notify: pass on what came before it, then answer and close.
            deliverPlaintext(context: context)
            context.fireChannelReadComplete()
            context.close(promise: nil)
        case .failed(let error):
            fail(context: context, error)
        }
    }

    private func advanceHandshake(context: ChannelHandlerContext) {
        guard let connection else { return }
        let result = connection.doHandshake()
        sendCiphertext(context: context, promise: nil)
        switch result {
        case .incomplete:
            return
        case .complete:
            completeHandshake(context: context, connection: connection)
        case .closed:
            fail(context: context, TLSError(code: .handshakeFailed, message: "The peer closed during the handshake"))
        case .failed(let error):
            fail(context: context, error)
        }
    }

    private func completeHandshake(context: ChannelHandlerContext, connection: TLSConnection) {
        handshakeTimer?.cancel()
        handshakeTimer = nil
        let negotiated = connection.negotiatedProtocol
        if !tlsContext.configuration.applicationProtocols.isEmpty && negotiated == nil {
            // Ferry versions its protocol by ALPN. A server refuses a ClientHello without ALPN with
            // alert 120 before getting here; a client whose server selected nothing refuses now.
            fail(context: context, TLSError(code: .handshakeFailed, message: "The peer did not negotiate ALPN"))
            return
        }
        state = .active
        let peer = connection.verifiedPeer
        let result = TLSHandshakeCompleted(
            negotiatedProtocol: negotiated,
            version: connection.negotiatedVersion,
            peerSubject: peer?.subject,
            peerSANs: peer?.sans ?? [],
            resumed: connection.resumedSession
        )
        HandshakeCounters.completed(role: tlsContext.configuration.role, resumed: result.resumed).increment()
        handshakeResult = result
        context.fireUserInboundEventTriggered(TLSUserEvent.handshakeCompleted(negotiatedProtocol: negotiated))
        context.fireUserInboundEventTriggered(result)
        if pendingWrites.hasMark {
            flushPendingWrites(context: context)
        }
    }

    // MARK: Writing

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard state != .closed, state != .closing else {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        pendingWrites.append((unwrapOutboundIn(data), promise))
    }

    public func flush(context: ChannelHandlerContext) {
        pendingWrites.mark()
        if state == .active {
            flushPendingWrites(context: context)
        }
    }

    private func flushPendingWrites(context: ChannelHandlerContext) {
        guard let connection else { return }
        var promises: [EventLoopPromise<Void>] = []
        // Bounded by the marked writes present on entry; nothing is appended meanwhile.
        while pendingWrites.hasMark, let write = pendingWrites.popFirst() {
            if case .failed(let error) = connection.writePlaintext(write.data) {
                write.promise?.fail(error)
                promises.forEach { $0.fail(error) }
                fail(context: context, error)
                return
            }
            if let promise = write.promise {
                promises.append(promise)
            }
        }
        sendCiphertext(context: context, promise: Self.combine(promises, on: context.eventLoop))
    }

    /// Sends all pending ciphertext as one write and flushes.
    private func sendCiphertext(context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        guard let connection, connection.hasCiphertext else {
            promise?.succeed()
            return
        }
        var buffer = context.channel.allocator.buffer(capacity: 0)
        connection.takeCiphertext(into: &buffer)
        context.writeAndFlush(wrapOutboundOut(buffer), promise: promise)
    }

    private static func combine(_ promises: [EventLoopPromise<Void>], on loop: any EventLoop) -> EventLoopPromise<Void>? {
        switch promises.count {
        case 0:
            return nil
        case 1:
            return promises[0]
        default:
            let combined = loop.makePromise(of: Void.self)
            for promise in promises {
                combined.futureResult.cascade(to: promise)
            }
            return combined
        }
    }

    // MARK: Closing

    public func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        guard mode == .all else {
            context.close(mode: mode, promise: promise)
            return
        }
        switch state {
        case .active:
            state = .closing
            closePromise = promise
            failPendingWrites(ChannelError.ioOnClosedChannel)
            sendCloseNotify(context: context)
        case .closing:
            if let promise {
                closePromise?.futureResult.cascade(to: promise)
            }
        case .idle, .handshaking, .closed:
            state = .closed
            cancelTimers()
            failPendingWrites(ChannelError.ioOnClosedChannel)
            context.close(mode: mode, promise: promise)
        }
    }

    private func sendCloseNotify(context: ChannelHandlerContext) {
        _ = connection?.shutdown()
        let written = context.eventLoop.makePromise(of: Void.self)
        sendCiphertext(context: context, promise: written)
        let timeout = TimeAmount(tlsContext.configuration.shutdownTimeout)
        shutdownTimer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            self.finishClose(context: context)
        }
        // close_notify is on the wire (or failed): TLS 1.3 lets us close without waiting for the reply.
        written.futureResult.assumeIsolated().whenComplete { _ in
            self.finishClose(context: context)
        }
    }

    private func finishClose(context: ChannelHandlerContext) {
        guard state == .closing else { return }
        state = .closed
        cancelTimers()
        let promise = closePromise
        closePromise = nil
        context.close(promise: promise)
    }

    private func fail(context: ChannelHandlerContext, _ error: any Error) {
        guard state != .closed else { return }
        if state == .idle || state == .handshaking {
            // ferry_tls_handshake_failures_total{role}: a no-op unless the process bootstrapped metrics.
            Counter(label: "ferry_tls_handshake_failures_total", dimensions: [("role", "\(tlsContext.configuration.role)")])
                .increment()
        }
        state = .closed
        cancelTimers()
        failPendingWrites(error)
        context.fireErrorCaught(error)
        context.close(promise: nil)
    }

    private func failPendingWrites(_ error: any Error) {
        while let write = pendingWrites.popFirst() {
            write.promise?.fail(error)
        }
    }

    private func cancelTimers() {
        handshakeTimer?.cancel()
        handshakeTimer = nil
        shutdownTimer?.cancel()
        shutdownTimer = nil
    }
}

@available(*, unavailable)
extension TLSHandler: Sendable {}

/// `ferry_tls_handshakes_total{role,resumed}`, made once (no-ops unless the process bootstrapped
/// metrics before its first handshake).
private enum HandshakeCounters {
    static let serverFull = make("server", resumed: false)
    static let serverResumed = make("server", resumed: true)
    static let clientFull = make("client", resumed: false)
    static let clientResumed = make("client", resumed: true)

    static func completed(role: TLSConfiguration.Role, resumed: Bool) -> Counter {
        switch (role, resumed) {
        case (.server, false): serverFull
        case (.server, true): serverResumed
        case (.client, false): clientFull
        case (.client, true): clientResumed
        }
    }

    private static func make(_ role: String, resumed: Bool) -> Counter {
        Counter(label: "ferry_tls_handshakes_total", dimensions: [("role", role), ("resumed", "\(resumed)")])
    }
}
