import Metrics
import NIOCore

/// `ferry_connections_open`: the server's open connections, for `/metrics` (a no-op unless the
/// process bootstrapped metrics). Calls and streams are counted by method above the transport.
enum ServerConnectionMetrics {
    private static let open = Meter(label: "ferry_connections_open")

    /// Counts `channel` as open until it closes.
    static func opened(_ channel: any Channel) {
        open.increment()
        channel.closeFuture.whenComplete { _ in open.decrement() }
    }
}
