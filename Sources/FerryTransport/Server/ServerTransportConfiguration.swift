/// Limits and timings of a server transport.
public struct ServerTransportConfiguration: Sendable {
    /// The largest request message accepted, in bytes; larger ones fail with RESOURCE_EXHAUSTED.
    public var maxMessageSize: Int = 4 * 1024 * 1024
    /// How many streams one connection may have open at once.
    public var maxConcurrentStreams: Int = 100
    /// Request messages buffered per stream before the connection stops reading.
    public var streamBufferSize: Int = 16
    /// Inbound silence after which the server pings a client.
    public var keepaliveInterval: Duration = .seconds(30)
    /// How long a pinged client has to answer before it is disconnected.
    public var keepaliveTimeout: Duration = .seconds(10)
    /// How long in-flight calls may run after graceful shutdown starts before they are cancelled.
    public var gracePeriod: Duration = .seconds(10)

    /// The defaults: 4 MiB messages, 100 streams, 30 s keepalive, 10 s grace period.
    public init() {}
}
