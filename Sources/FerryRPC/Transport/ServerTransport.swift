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

    /// Listens like ``listen(streamHandler:)``, treating each method's calls as its traits say.
    ///
    /// - Parameters:
    ///   - traits: How the calls of a method are run and ended.
    ///   - streamHandler: Serves one call.
    /// - Throws: When listening fails.
    func listen(
        traits: @escaping @Sendable (MethodDescriptor) -> ServerMethodTraits,
        streamHandler: @escaping @Sendable (ServerStream) async -> Void
    ) async throws

    /// Stops accepting connections and calls, lets in-flight calls finish, then ends `listen`.
    func beginGracefulShutdown()
}

/// How a server transport runs and ends the calls of one method.
public struct ServerMethodTraits: Sendable, Equatable {
    /// The calls may run indefinitely (they stream requests, or follow something): at graceful
    /// shutdown they end at once with `UNAVAILABLE` and their clients reconnect, instead of
    /// holding the server for the grace period, which the other calls still get.
    public var endsAtShutdown: Bool

    /// The handler is light — it never computes for long between two suspensions — so its calls
    /// run on their connection's event loop: a request read there reaches the handler, and the
    /// reply reaches the socket, without a hand-off to another thread. Everything else runs off
    /// the loops, so a heavy call never delays the reads and writes of other connections.
    public var runsOnConnectionLoop: Bool

    /// Creates traits.
    ///
    /// - Parameters:
    ///   - endsAtShutdown: Whether calls end at once at graceful shutdown.
    ///   - runsOnConnectionLoop: Whether calls run on their connection's event loop.
    public init(endsAtShutdown: Bool = false, runsOnConnectionLoop: Bool = false) {
        self.endsAtShutdown = endsAtShutdown
        self.runsOnConnectionLoop = runsOnConnectionLoop
    }
}

extension ServerTransport {
    /// A transport that cannot place or end calls by method treats every call alike.
    public func listen(
        traits: @escaping @Sendable (MethodDescriptor) -> ServerMethodTraits,
        streamHandler: @escaping @Sendable (ServerStream) async -> Void
    ) async throws {
        try await listen(streamHandler: streamHandler)
    }
}
