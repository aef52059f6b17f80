/// What a server handler knows about the call it is serving.
public struct ServerContext: Sendable {
    /// The method being called.
    public var descriptor: MethodDescriptor
    /// The request metadata sent by the client.
    public var metadata: Metadata
    /// Who the client is.
    public var peer: PeerIdentity
    /// When the call's deadline passes, if the client set one.
    public var deadline: ContinuousClock.Instant?

    /// Creates a context.
    ///
    /// - Parameters:
    ///   - descriptor: The method being called.
    ///   - metadata: The request metadata.
    ///   - peer: Who the client is.
    ///   - deadline: The call's deadline, if any.
    public init(
        descriptor: MethodDescriptor,
        metadata: Metadata,
        peer: PeerIdentity,
        deadline: ContinuousClock.Instant?
    ) {
        self.descriptor = descriptor
        self.metadata = metadata
        self.peer = peer
        self.deadline = deadline
    }
}
