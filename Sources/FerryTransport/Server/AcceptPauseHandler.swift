import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Pauses accepting on the listening socket while the process is out of descriptors (or kernel
/// memory), for an interval that grows while accepts keep failing, and resumes on its own.
///
/// SwiftNIO's server channel keeps its read pending when `accept` fails with `EMFILE`, so it
/// stays registered for readability and calls `accept` again at once: a full backlog then spins
/// an event loop at 100 % of a core, and the connections it serves wait behind it. (NIO's
/// `AcceptBackoffHandler` only delays *new* read requests, and none is made.) Switching
/// `autoRead` off unregisters the socket from the selector; switching it on again registers it.
/// Connections already accepted are not touched and keep being served.
final class AcceptPauseHandler: ChannelDuplexHandler {
    typealias InboundIn = Channel
    typealias InboundOut = Channel
    typealias OutboundIn = Never

    private let initialDelay: TimeAmount
    private let maximumDelay: TimeAmount
    private var nextDelay: TimeAmount
    private var resume: Scheduled<Void>?

    /// - Parameters:
    ///   - initialDelay: The first pause.
    ///   - maximumDelay: The longest pause; each failed retry doubles the previous one up to this.
    init(initialDelay: TimeAmount = .milliseconds(20), maximumDelay: TimeAmount = .seconds(1)) {
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.nextDelay = initialDelay
    }

    /// Whether an accept error means "out of a resource, try again later".
    static func isResourceShortage(_ error: any Error) -> Bool {
        guard let error = error as? IOError else { return false }
        return [EMFILE, ENFILE, ENOBUFS, ENOMEM].contains(error.errnoCode)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        nextDelay = initialDelay  // An accept succeeded.
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if Self.isResourceShortage(error) && resume == nil {
            pause(context: context)
        }
        context.fireErrorCaught(error)
    }

    func read(context: ChannelHandlerContext) {
        // While paused, the channel's own read is still pending; reading again would re-register it.
        if resume == nil {
            context.read()
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelResume()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelResume()
    }

    private func pause(context: ChannelHandlerContext) {
        let options = context.channel.syncOptions
        guard (try? options?.setOption(.autoRead, value: false)) != nil else { return }
        let delay = nextDelay
        nextDelay = min(nextDelay * 2, maximumDelay)
        resume = context.eventLoop.assumeIsolated().scheduleTask(in: delay) {
            self.resume = nil
            // Registers the socket again; another failure pauses again, for longer.
            try? context.channel.syncOptions?.setOption(.autoRead, value: true)
        }
    }

    private func cancelResume() {
        resume?.cancel()
        resume = nil
    }
}

@available(*, unavailable)
extension AcceptPauseHandler: Sendable {}
