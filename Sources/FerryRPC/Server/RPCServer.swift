/// Serves registered services over a transport.
///
/// The server resolves each call's method through its router and runs the interceptors that
/// apply; a method nobody registered is answered `UNIMPLEMENTED` after the interceptors, so
/// authentication and authorization are decided first for every call.
///
/// Calls whose requests stream (client-streaming and bidirectional) can run on an executor of
/// their own, except those of methods the router runs on their connection's event loop. One
/// such call can carry endless work, and a handler whose request buffer never runs dry never
/// suspends: on the shared global executor a few of them hold every thread while
/// a small unary call waits seconds for one. On their own threads they leave the global executor
/// to the other calls, and the kernel shares the CPU between both.
public struct RPCServer: Sendable {
    private let transport: any ServerTransport
    private let router: RPCRouter
    private let interceptors: [any ServerInterceptor]
    private let streamingExecutor: (any TaskExecutor)?
    private let observer: (any RPCCallObserver)?

    /// Creates a server.
    ///
    /// - Parameters:
    ///   - transport: Where calls come from.
    ///   - services: The services to serve.
    ///   - interceptors: Run in order, outermost first, for the methods they apply to.
    ///   - streamingExecutor: Where client-streaming and bidirectional calls run; `nil` for the
    ///     global executor, like every other call.
    ///   - observer: Told when each call starts and ends; `nil` for none.
    public init(
        transport: any ServerTransport,
        services: [any RPCService],
        interceptors: [any ServerInterceptor] = [],
        streamingExecutor: (any TaskExecutor)? = nil,
        observer: (any RPCCallObserver)? = nil
    ) {
        var router = RPCRouter()
        for service in services {
            service.registerMethods(with: &router)
        }
        self.transport = transport
        self.router = router
        self.interceptors = interceptors
        self.streamingExecutor = streamingExecutor
        self.observer = observer
    }

    /// Serves until ``beginGracefulShutdown()`` has let in-flight calls finish.
    ///
    /// - Throws: When the transport cannot listen.
    public func serve() async throws {
        let router = self.router
        let interceptors = self.interceptors
        let executor = self.streamingExecutor
        let observer = self.observer
        // Calls that stream requests (a worker's heartbeats) or follow something (a watch) could
        // hold a shutdown for the whole grace period: they end at once and their clients reconnect.
        try await transport.listen(traits: { router.traits(of: $0) }) { stream in
            guard let observer else {
                await Self.handle(stream, router: router, interceptors: interceptors, streamingExecutor: executor)
                return
            }
            let method = router.handler(for: stream.context.descriptor) == nil ? nil : stream.context.descriptor
            let responder = ObservedResponder(stream.responder, method: method, observer: observer)
            var observed = stream
            observed.responder = responder
            await Self.handle(observed, router: router, interceptors: interceptors, streamingExecutor: executor)
            // A handler that returns without a status: its client went away.
            responder.end(.cancelled)
        }
    }

    /// Stops taking new calls; in-flight calls that stream requests end at once with
    /// `UNAVAILABLE`, the others may finish within the transport's grace period; ``serve()``
    /// then returns.
    public func beginGracefulShutdown() {
        transport.beginGracefulShutdown()
    }

    private static func handle(
        _ stream: ServerStream,
        router: RPCRouter,
        interceptors: [any ServerInterceptor],
        streamingExecutor: (any TaskExecutor)?
    ) async {
        // An unknown method still goes through the interceptors, so a caller without valid
        // credentials learns nothing about which methods exist (UNAUTHENTICATED comes first).
        let handler = router.handler(for: stream.context.descriptor) ?? { stream in
            let status = Status(code: .unimplemented, message: "Method '\(stream.context.descriptor)' is not implemented")
            stream.responder.finish(lastMessage: nil, status: status, trailers: [:])
        }
        let chain = interceptors.filter { $0.applies(to: stream.context.descriptor) }
        @Sendable func serve() async {
            do {
                try await run(chain[...], context: stream.context) { context in
                    var stream = stream
                    stream.context = context
                    await handler(stream)
                }
            } catch {
                let error = RPCError.from(error)
                stream.responder.finish(lastMessage: nil, status: error.status, trailers: error.metadata)
            }
        }
        let method = stream.context.descriptor
        guard let streamingExecutor, router.streamsRequests(method), !router.traits(of: method).runsOnConnectionLoop else {
            await serve()
            return
        }
        await withTaskExecutorPreference(streamingExecutor) { await serve() }
    }

    private static func run(
        _ chain: ArraySlice<any ServerInterceptor>,
        context: ServerContext,
        handler: @escaping @Sendable (ServerContext) async -> Void
    ) async throws {
        guard let first = chain.first else {
            await handler(context)
            return
        }
        let rest = chain.dropFirst()
        try await first.intercept(context: context) { context in
            try await run(rest, context: context, handler: handler)
        }
    }
}
