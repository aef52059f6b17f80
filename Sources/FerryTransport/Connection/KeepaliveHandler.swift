import NIOCore

/// Answers the peer's PINGs and detects a dead peer.
///
/// When no frame has arrived for `interval`, it sends a PING; if nothing arrives within
/// `timeout` after that, it sends GOAWAY KEEPALIVE_TIMEOUT and closes. Only whole frames count as
/// activity, so a peer stuck in the middle of a frame is closed too. While a handler above has
/// paused reading (a stream's buffer is full), the peer cannot be heard, so the clock waits.
/// Until the peer's first frame has arrived nothing is answered: a connection must begin with
/// SETTINGS, so a first frame of any other type (a PING included) goes up to the connection
/// handler, which refuses it.
final class KeepaliveHandler: ChannelDuplexHandler {
    typealias InboundIn = [Frame]
    typealias InboundOut = [Frame]
    typealias OutboundIn = Frame
    typealias OutboundOut = Frame

    private let interval: TimeAmount
    private let timeout: TimeAmount
    private var lastActivity = NIODeadline.uptimeNanoseconds(0)
    private var idleCheck: Scheduled<Void>?
    private var pingTimeout: Scheduled<Void>?
    private var outstandingPing: UInt64?
    private var pingCounter: UInt64 = 0
    /// True between the end of a read burst and the next `read()` passing down: if a handler
    /// above holds that `read()`, the connection is paused by us, not silent by the peer.
    private var readsPaused = false
    /// A whole frame arrived in the current read burst; the clock is read once, at its end.
    private var heardPeer = false
    /// The peer's first frame was SETTINGS, so its PINGs may be answered.
    private var prefaceReceived = false

    private let sendsGoAway: Bool

    /// - Parameters:
    ///   - interval: Inbound silence after which a PING is sent.
    ///   - timeout: How long to wait for any frame after that PING.
    ///   - sendsGoAway: Whether to tell the peer why before closing (servers do; clients just close).
    init(interval: TimeAmount, timeout: TimeAmount, sendsGoAway: Bool) {
        self.interval = interval
        self.timeout = timeout
        self.sendsGoAway = sendsGoAway
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive {
            start(context: context)
        }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context: context)
        context.fireChannelActive()
    }

    private func start(context: ChannelHandlerContext) {
        lastActivity = context.eventLoop.now
        scheduleIdleCheck(context: context, at: lastActivity + interval)
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelTimers()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimers()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        heardPeer = true
        if outstandingPing != nil {
            // Any frame proves the peer is alive, not only the ping's acknowledgement.
            outstandingPing = nil
            pingTimeout?.cancel()
            pingTimeout = nil
        }
        let frames = unwrapInboundIn(data)
        if !prefaceReceived {
            guard case .settings = frames.first else {
                // Not a connection preface: the handler above fails the connection (PROTOCOL_ERROR).
                context.fireChannelRead(data)
                return
            }
            prefaceReceived = true
        }
        guard frames.contains(where: \.isPing) else {
            context.fireChannelRead(data)
            return
        }
        var others: [Frame] = []
        for frame in frames {
            guard case .ping(let payload, let ack) = frame else {
                others.append(frame)
                continue
            }
            if !ack {
                context.writeAndFlush(wrapOutboundOut(.ping(data: payload, ack: true)), promise: nil)
            }
        }
        if !others.isEmpty {
            context.fireChannelRead(wrapInboundOut(others))
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if heardPeer {
            heardPeer = false
            lastActivity = context.eventLoop.now
        }
        readsPaused = true
        context.fireChannelReadComplete()
    }

    func read(context: ChannelHandlerContext) {
        readsPaused = false
        context.read()
    }

    private func scheduleIdleCheck(context: ChannelHandlerContext, at deadline: NIODeadline) {
        idleCheck?.cancel()
        // Strong captures: the timers are cancelled when the channel goes (a weak reference would
        // slow every retain of this handler; see TLSHandler).
        idleCheck = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
            self.checkIdle(context: context)
        }
    }

    private func checkIdle(context: ChannelHandlerContext) {
        // This check is the task that just fired: cancelling it again would make NIO search its
        // whole timer queue for it (one entry per connection on the loop) and find nothing.
        idleCheck = nil
        if readsPaused {
            lastActivity = context.eventLoop.now
        }
        let idleSince = lastActivity
        guard context.eventLoop.now >= idleSince + interval else {
            scheduleIdleCheck(context: context, at: idleSince + interval)
            return
        }
        if outstandingPing == nil {
            pingCounter &+= 1
            outstandingPing = pingCounter
            context.writeAndFlush(wrapOutboundOut(.ping(data: pingCounter, ack: false)), promise: nil)
            pingTimeout = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
                self.peerIsDead(context: context)
            }
        }
        scheduleIdleCheck(context: context, at: context.eventLoop.now + interval)
    }

    private func peerIsDead(context: ChannelHandlerContext) {
        pingTimeout = nil
        guard outstandingPing != nil else { return }
        cancelTimers()
        if sendsGoAway {
            let goAway = Frame.goAway(lastStreamID: 0, error: .keepaliveTimeout, debug: "No keepalive acknowledgement")
            context.writeAndFlush(wrapOutboundOut(goAway), promise: nil)
        }
        context.close(promise: nil)
    }

    private func cancelTimers() {
        idleCheck?.cancel()
        idleCheck = nil
        pingTimeout?.cancel()
        pingTimeout = nil
    }
}

@available(*, unavailable)
extension KeepaliveHandler: Sendable {}
