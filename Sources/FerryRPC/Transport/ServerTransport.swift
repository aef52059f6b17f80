/// One inbound call, as a server transport hands it to the RPC core.
///
/// The transport runs the core's stream handler in a task of its own, and cancels that task when
/// the client cancels, the deadline passes or the connection is lost.
public struct ServerStream: Sendable {
    /// What the handler knows about the call.
    public var context: ServerContext
    /// The request messages; the sequence ends when the client half-closes.
    public var requests: RPCAsyncSequence<[UInt8]>
    /// Where responses and the final status go.
    public var responder: any ServerStreamResponder

    /// Creates a stream.
    ///
    /// - Parameters:
    ///   - context: The call's context.
    ///   - requests: The request messages.
    ///   - responder: The response side.
    public init(context: ServerContext, requests: RPCAsyncSequence<[UInt8]>, responder: any ServerStreamResponder) {
        self.context = context
        self.requests = requests
        self.responder = responder
    }
}

/// The response side of a server stream.
public protocol ServerStreamResponder: Sendable {
    /// Sends one response message.
    ///
    /// - Parameter message: The encoded message.
    /// - Throws: ``RPCError`` when the stream is already closed.
    func write(_ message: [UInt8]) async throws

    /// Ends the stream: optionally one last message, then the status and trailing metadata.
    ///
    /// Calls after the first are ignored, as are calls after the transport closed the stream.
    /// - Parameters:
    ///   - lastMessage: A final message sent in the same flush as the trailers (unary replies).
    ///   - status: The call's status.
    ///   - trailers: Trailing metadata.
    func finish(lastMessage: [UInt8]?, status: Status, trailers: Metadata)
}

/// Accepts connections and turns each call into a ``ServerStream``.
public protocol ServerTransport: Sendable {
    /// Listens until shut down, calling `streamHandler` for every call in a task of its own.
    ///
    /// - Parameter streamHandler: Serves one call.
    /// - Throws: When listening fails (for example, the address is in use).
    func listen(streamHandler: @escaping @Sendable (ServerStream) async -> Void) async throws

    /// Listens like ``listen(streamHandler:)``, except that at graceful shutdown the calls of
    /// long-lived methods end at once with `UNAVAILABLE` (their clients reconnect) instead of
    /// holding the server for the grace period, which the other calls still get.
    ///
    /// - Parameters:
    ///   - isLongLived: Whether a method's calls may run indefinitely (streams of requests).
    ///   - streamHandler: Serves one call.
    /// - Throws: When listening fails.
    func listen(
        endingAtShutdown isLongLived: @escaping @Sendable (MethodDescriptor) -> Bool,
        streamHandler: @escaping @Sendable (ServerStream) async -> Void
    ) async throws

    /// Stops accepting connections and calls, lets in-flight calls finish, then ends `listen`.
    func beginGracefulShutdown()
}

extension ServerTransport {
    /// A transport that cannot end calls early gives every call the grace period.
    public func listen(
        endingAtShutdown isLongLived: @escaping @Sendable (MethodDescriptor) -> Bool,
        streamHandler: @escaping @Sendable (ServerStream) async -> Void
    ) async throws {
        try await listen(streamHandler: streamHandler)
    }
}
