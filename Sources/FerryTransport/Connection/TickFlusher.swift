import NIOCore

/// Coalesces the flushes a connection handler asks for during one event-loop tick into one, so
/// everything written in that tick leaves in a single TLS write.
///
/// Owned by one handler and used only on its event loop.
final class TickFlusher {
    private var pending = false

    /// Flushes `context` once, after the tasks already queued on the loop, however often it is
    /// asked.
    func schedule(_ context: ChannelHandlerContext) {
        guard !pending else { return }
        pending = true
        context.eventLoop.assumeIsolated().execute {
            self.pending = false
            context.flush()
        }
    }
}

@available(*, unavailable)
extension TickFlusher: Sendable {}
