import FerryRPC
import Synchronization
import Testing

/// A transport that serves a fixed list of in-process streams, then returns.
private struct ListTransport: ServerTransport {
    let streams: [ServerStream]

    func listen(streamHandler: @escaping @Sendable (ServerStream) async -> Void) async throws {
        for stream in streams { await streamHandler(stream) }
    }

    func beginGracefulShutdown() {}
}

private struct EchoService: RPCService {
    func registerMethods(with router: inout RPCRouter) {
        router.registerUnary(RPCRouterTests.echo, deserializer: BytesCoder(), serializer: BytesCoder()) { r, _ in r }
    }
}

/// Rejects calls without the right token, as an authentication interceptor would.
private final class TokenInterceptor: ServerInterceptor {
    let seen = Mutex<[String]>([])

    func intercept(context: ServerContext, next: @Sendable (ServerContext) async throws -> Void) async throws {
        seen.withLock { $0.append(context.descriptor.method) }
        guard context.metadata["authorization"] == "Bearer good" else {
            throw RPCError(code: .unauthenticated, message: "A valid bearer token is required")
        }
        try await next(context)
    }
}

@Suite("RPCServer")
struct RPCServerDispatchTests {
    @Test("Interceptors run first for every call; an unknown method is UNIMPLEMENTED only after them")
    func dispatch() async throws {
        let nope = MethodDescriptor(service: "t.S", method: "Nope")
        let (anonymousUnknown, anonymousUnknownResult) = InProcessStream.make(nope, requests: [])
        let (unknown, unknownResult) = InProcessStream.make(
            nope, requests: [], metadata: ["authorization": "Bearer good"])
        let (rejected, rejectedResult) = InProcessStream.make(RPCRouterTests.echo, requests: [[1]])
        let (allowed, allowedResult) = InProcessStream.make(
            RPCRouterTests.echo, requests: [[2]], metadata: ["authorization": "Bearer good"])
        let interceptor = TokenInterceptor()
        let server = RPCServer(
            transport: ListTransport(streams: [anonymousUnknown, unknown, rejected, allowed]),
            services: [EchoService()],
            interceptors: [interceptor]
        )
        try await server.serve()
        #expect(anonymousUnknownResult.result.withLock { $0.status?.code } == .unauthenticated)
        #expect(unknownResult.result.withLock { $0.status?.code } == .unimplemented)
        #expect(rejectedResult.result.withLock { $0.status?.code } == .unauthenticated)
        #expect(rejectedResult.result.withLock { $0.messages }.isEmpty)
        #expect(allowedResult.result.withLock { $0.messages } == [[2]])
        #expect(interceptor.seen.withLock { $0 } == ["Nope", "Nope", "Echo", "Echo"])
    }
}
