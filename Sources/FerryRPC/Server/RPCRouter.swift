/// Maps method descriptors to handlers.
///
/// All four call shapes are registered as one internal form: a handler of a byte stream. The
/// typed `register…` methods convert messages and map thrown errors to statuses.
public struct RPCRouter: Sendable {
    /// Serves one call end to end, including sending its status.
    public typealias StreamHandler = @Sendable (ServerStream) async -> Void

    private var handlers: [MethodDescriptor: StreamHandler] = [:]
    private var streamingRequestMethods: Set<MethodDescriptor> = []
    private var followingMethods: Set<MethodDescriptor> = []
    private var connectionLoopMethods: Set<MethodDescriptor> = []

    /// Creates an empty router.
    public init() {}

    /// The registered methods.
    public var methods: Set<MethodDescriptor> { Set(handlers.keys) }

    /// Registers a raw stream handler, replacing any earlier one for the method.
    ///
    /// - Parameters:
    ///   - method: The method.
    ///   - handler: Serves one call and must finish its responder.
    public mutating func register(_ method: MethodDescriptor, handler: @escaping StreamHandler) {
        handlers[method] = handler
        streamingRequestMethods.remove(method)
    }

    /// The handler for a method, if one is registered.
    ///
    /// - Parameter method: The method.
    /// - Returns: Its handler, or `nil`.
    public func handler(for method: MethodDescriptor) -> StreamHandler? {
        handlers[method]
    }

    /// Whether a method's calls stream requests (client-streaming and bidirectional), so that
    /// one call may carry any amount of work; the server runs those below other calls.
    ///
    /// - Parameter method: The method.
    /// - Returns: `true` for methods registered as client-streaming or bidirectional.
    public func streamsRequests(_ method: MethodDescriptor) -> Bool {
        streamingRequestMethods.contains(method)
    }

    /// Marks a server-streaming method whose calls follow something until the client stops them
    /// (a watch): like calls that stream requests, they end at once with `UNAVAILABLE` when the
    /// server shuts down, instead of holding the shutdown for the grace period.
    ///
    /// - Parameter method: A registered method.
    public mutating func endAtShutdown(_ method: MethodDescriptor) {
        followingMethods.insert(method)
    }

    /// Whether a method's calls end at once when the server shuts down: those that stream
    /// requests, and those marked with ``endAtShutdown(_:)``.
    ///
    /// - Parameter method: The method.
    /// - Returns: `true` for calls that would otherwise hold a shutdown for the grace period.
    public func endsAtShutdown(_ method: MethodDescriptor) -> Bool {
        streamingRequestMethods.contains(method) || followingMethods.contains(method)
    }

    /// Marks a method whose handler is light (it never computes for long between suspensions),
    /// so the transport runs its calls on their connection's event loop, without a thread
    /// hand-off per message (a worker's heartbeats, a health check).
    ///
    /// - Parameter method: A registered method.
    public mutating func runOnConnectionLoop(_ method: MethodDescriptor) {
        connectionLoopMethods.insert(method)
    }

    /// How the transport runs and ends a method's calls.
    ///
    /// - Parameter method: The method.
    /// - Returns: Its traits; an unknown method's calls run off the loops and are not long-lived.
    public func traits(of method: MethodDescriptor) -> ServerMethodTraits {
        ServerMethodTraits(
            endsAtShutdown: endsAtShutdown(method),
            runsOnConnectionLoop: connectionLoopMethods.contains(method)
        )
    }
}

extension RPCRouter {
    /// Registers a bidirectional-streaming method; the other shapes are built on it.
    ///
    /// - Parameters:
    ///   - method: The method.
    ///   - deserializer: Decodes requests.
    ///   - serializer: Encodes responses.
    ///   - handler: Reads requests, writes responses, and returns trailing metadata.
    public mutating func registerBidirectional<Request: Sendable, Response: Sendable>(
        _ method: MethodDescriptor,
        deserializer: some MessageDeserializer<Request>,
        serializer: some MessageSerializer<Response>,
        handler: @escaping @Sendable (RPCAsyncSequence<Request>, RPCWriter<Response>, ServerContext) async throws ->
            Metadata
    ) {
        register(method) { stream in
            let requests = RPCAsyncSequence.decoding(stream.requests, with: deserializer)
            let responder = stream.responder
            let writer = RPCWriter<Response> { try await responder.write(serializer.serialize($0)) }
            do {
                let trailers = try await handler(requests, writer, stream.context)
                responder.finish(lastMessage: nil, status: .ok, trailers: trailers)
            } catch {
                let error = RPCError.from(error)
                responder.finish(lastMessage: nil, status: error.status, trailers: error.metadata)
            }
        }
        streamingRequestMethods.insert(method)
    }

    /// Registers a server-streaming method: one request, many responses.
    ///
    /// - Parameters:
    ///   - method: The method.
    ///   - deserializer: Decodes the request.
    ///   - serializer: Encodes responses.
    ///   - handler: Writes responses for the request and returns trailing metadata.
    public mutating func registerServerStreaming<Request: Sendable, Response: Sendable>(
        _ method: MethodDescriptor,
        deserializer: some MessageDeserializer<Request>,
        serializer: some MessageSerializer<Response>,
        handler: @escaping @Sendable (Request, RPCWriter<Response>, ServerContext) async throws -> Metadata
    ) {
        registerBidirectional(method, deserializer: deserializer, serializer: serializer) { requests, writer, context in
            let request = try await Self.single(requests)
            return try await handler(request, writer, context)
        }
        streamingRequestMethods.remove(method)
    }

    /// Registers a client-streaming method: many requests, one response.
    ///
    /// - Parameters:
    ///   - method: The method.
    ///   - deserializer: Decodes requests.
    ///   - serializer: Encodes the response.
    ///   - handler: Reads all requests and returns the response.
    public mutating func registerClientStreaming<Request: Sendable, Response: Sendable>(
        _ method: MethodDescriptor,
        deserializer: some MessageDeserializer<Request>,
        serializer: some MessageSerializer<Response>,
        handler: @escaping @Sendable (RPCAsyncSequence<Request>, ServerContext) async throws -> Response
    ) {
        register(method) { stream in
            let requests = RPCAsyncSequence.decoding(stream.requests, with: deserializer)
            do {
                let response = try serializer.serialize(try await handler(requests, stream.context))
                stream.responder.finish(lastMessage: response, status: .ok, trailers: [:])
            } catch {
                let error = RPCError.from(error)
                stream.responder.finish(lastMessage: nil, status: error.status, trailers: error.metadata)
            }
        }
        streamingRequestMethods.insert(method)
    }

    /// Registers a unary method: one request, one response.
    ///
    /// - Parameters:
    ///   - method: The method.
    ///   - deserializer: Decodes the request.
    ///   - serializer: Encodes the response.
    ///   - handler: Answers the request.
    public mutating func registerUnary<Request: Sendable, Response: Sendable>(
        _ method: MethodDescriptor,
        deserializer: some MessageDeserializer<Request>,
        serializer: some MessageSerializer<Response>,
        handler: @escaping @Sendable (Request, ServerContext) async throws -> Response
    ) {
        registerClientStreaming(method, deserializer: deserializer, serializer: serializer) { requests, context in
            try await handler(try await Self.single(requests), context)
        }
        streamingRequestMethods.remove(method)
    }

    /// Reads exactly one request, as unary and server-streaming calls require.
    private static func single<Request>(_ requests: RPCAsyncSequence<Request>) async throws -> Request {
        var iterator = requests.makeAsyncIterator()
        guard let request = try await iterator.next() else {
            throw RPCError(code: .internal, message: "Expected one request message, received none")
        }
        guard try await iterator.next() == nil else {
            throw RPCError(code: .internal, message: "Expected one request message, received several")
        }
        return request
    }
}
