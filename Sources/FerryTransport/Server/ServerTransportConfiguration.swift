/// Limits and timings of a server transport.
public struct ServerTransportConfiguration: Sendable {
    /// The largest request message accepted, in bytes; larger ones fail with RESOURCE_EXHAUSTED.
    public var maxMessageSize: Int = 4 * 1024 * 1024
    /// How many streams one connection may have open at once.
    public var maxConcurrentStreams: Int = 100
    /// Request messages buffered per stream before the connection stops reading.
    public var streamBufferSize: Int = 16
    /// The most bytes read from one connection's socket per event-loop turn. A connection
    /// flooding the server is read in slices this size, one per turn, so the other connections
    /// on its loop (a small unary call among them) wait at most one slice per busy connection.
    public var readSliceSize: Int = 1024
    /// The kernel receive buffer of each accepted connection (`SO_RCVBUF`; Linux doubles it),
    /// or `nil` for the kernel's autotuning (up to several MiB). When a stream's handler falls
    /// behind, the server stops reading that connection; this bounds how much a client can
    /// still pile up in the server's kernel memory, and how stale its queued messages get.
    public var socketReceiveBufferSize: Int? = 128 * 1024
    /// Inbound silence after which the server pings a client.
    public var keepaliveInterval: Duration = .seconds(30)
    /// How long a pinged client has to answer before it is disconnected.
    public var keepaliveTimeout: Duration = .seconds(10)
    /// How long in-flight calls may run after graceful shutdown starts before they are cancelled.
    public var gracePeriod: Duration = .seconds(10)

    /// The defaults: 4 MiB messages, 100 streams, 1 KiB read slices, 128 KiB receive buffers,
    /// 30 s keepalive, 10 s grace period.
    public init() {}
}
