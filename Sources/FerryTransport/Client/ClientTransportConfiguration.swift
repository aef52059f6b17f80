public import NIOCore

/// Limits, timings and reconnection policy of a client transport.
public struct ClientTransportConfiguration: Sendable {
    /// The largest response message accepted, in bytes.
    public var maxMessageSize: Int = 4 * 1024 * 1024
    /// Response messages buffered per call before the connection stops reading.
    public var streamBufferSize: Int = 16
    /// The kernel send buffer of the connection (`SO_SNDBUF`; Linux doubles it), or `nil` for
    /// the kernel's autotuning (up to several MiB). Bounding it makes a writer that outruns the
    /// server wait in ``FerryRPC/RPCWriter/write(_:)`` instead of queueing megabytes of
    /// messages that all arrive late.
    public var socketSendBufferSize: Int? = 128 * 1024
    /// The local address connections are made from (port 0 lets the kernel pick the port), or
    /// `nil` for the kernel's choice of both. A client opening more connections to one server
    /// address than one source address has ephemeral ports (about 28,000 on Linux) spreads them
    /// over several source addresses, for example `127.0.0.1`…`127.0.0.8` on loopback.
    public var sourceAddress: SocketAddress?
    /// How long a TCP connect plus TLS handshake may take.
    public var connectTimeout: Duration = .seconds(10)
    /// Inbound silence after which the client pings the server.
    public var keepaliveInterval: Duration = .seconds(30)
    /// How long a pinged server has to answer before the connection is dropped.
    public var keepaliveTimeout: Duration = .seconds(10)
    /// How reconnection attempts are spaced after failures.
    public var backoff = ConnectionBackoff()

    /// The defaults: 4 MiB messages, 10 s connect timeout, 30 s keepalive.
    public init() {}
}

/// Exponential backoff with jitter between failed connection attempts.
public struct ConnectionBackoff: Sendable {
    /// The wait after the first failure.
    public var initial: Duration = .seconds(1)
    /// The factor applied after each further failure.
    public var multiplier: Double = 1.6
    /// The longest wait.
    public var maximum: Duration = .seconds(30)
    /// The fraction by which a wait is randomly shortened or lengthened, so clients spread out.
    public var jitter: Double = 0.2

    /// The defaults: 1 s, ×1.6, at most 30 s, ±20 %.
    public init() {}

    /// The wait before attempt `attempt + 1`, given `attempt` failures so far.
    ///
    /// - Parameters:
    ///   - failures: Consecutive failed attempts, at least 1.
    ///   - random: A random number in `-1...1`; injected so the arithmetic can be tested.
    /// - Returns: How long to wait.
    public func delay(afterFailures failures: Int, random: Double = Double.random(in: -1...1)) -> Duration {
        let base = initial * pow(multiplier, Double(max(0, failures - 1)))
        let capped = min(base, maximum)
        return capped * (1 + jitter * random)
    }
}

private func pow(_ base: Double, _ exponent: Double) -> Double {
    var result = 1.0
    for _ in 0..<Int(exponent) {
        result *= base
    }
    return result
}
