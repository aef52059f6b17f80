/// Serves registered services over a transport.
///
/// The server resolves each call's method through its router, runs the interceptors that apply,
/// and answers `UNIMPLEMENTED` for methods nobody registered.
public struct RPCServer: Sendable {
    private let transport: any ServerTransport
    private let router: RPCRouter
    private let interceptors: [any ServerInterceptor]

    /// Creates a server.
    ///
    /// - Parameters:
    ///   - transport: Where calls come from.
    ///   - services: The services to serve.
    ///   - interceptors: Run in order, outermost first, for the methods they apply to.
    public init(
        transport: any ServerTransport,
        services: [any RPCService],
        interceptors: [any ServerInterceptor] = []
    ) {
        var router = RPCRouter()
        for service in services {
            service.registerMethods(with: &router)
        }
        self.transport = transport
        self.router = router
        self.interceptors = interceptors
    }

    /// Serves until ``beginGracefulShutdown()`` has let in-flight calls finish.
    ///
    /// - Throws: When the transport cannot listen.
    public func serve() async throws {
        let router = self.router
        let interceptors = self.interceptors
        try await transport.listen { stream in
            await Self.handle(stream, router: router, interceptors: interceptors)
        }
    }

    /// Stops taking new calls and lets in-flight calls finish; ``serve()`` then returns.
    public func beginGracefulShutdown() {
        transport.beginGracefulShutdown()
    }

    private static func handle(_ stream: ServerStream, router: RPCRouter, interceptors: [any ServerInterceptor]) async {
        guard let handler = router.handler(for: stream.context.descriptor) else {
            let status = Status(code: .unimplemented, message: "Method '\(stream.context.descriptor)' is not implemented")
            stream.responder.finish(lastMessage: nil, status: status, trailers: [:])
            return
        }
        let chain = interceptors.filter { $0.applies(to: stream.context.descriptor) }
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
