import FerryRPC
import FerryTransport
import Testing

@Suite("Deadlines, cancellation, limits and unknown methods")
struct CallFailureTests {
    let coder = BytesCoder()

    @Test("A call past its deadline fails with DEADLINE_EXCEEDED and the handler is cancelled")
    func deadline() async throws {
        try await TestServer.with { server in
            try await server.withClient { client in
                // Connect first: under the load of the other suites, the TLS handshake alone has
                // taken longer than the deadline, and a call cancelled before its handler ran
                // records nothing.
                _ = try await client.unary(EchoService.get, request: [0], serializer: coder, deserializer: coder)
                let error = await #expect(throws: RPCError.self) {
                    try await client.unary(
                        EchoService.block, request: [1], serializer: coder, deserializer: coder,
                        options: CallOptions(timeout: .seconds(2)))
                }
                #expect(error?.code == .deadlineExceeded)
                #expect(server.echo.events.started == 1)
                let handlerCancelled = try await waitUntil { server.echo.events.cancelled == 1 }
                #expect(handlerCancelled)
            }
        }
    }

    @Test("Cancelling the calling task cancels the server handler")
    func cancellation() async throws {
        try await TestServer.with { server in
            try await server.withClient { client in
                let call = Task {
                    try await client.unary(EchoService.block, request: [1], serializer: coder, deserializer: coder)
                }
                let handlerStarted = try await waitUntil { server.echo.events.started == 1 }
                #expect(handlerStarted)
                call.cancel()
                let result = await call.result
                #expect(throws: RPCError.self) { try result.get() }
                if case .failure(let error as RPCError) = result {
                    #expect(error.code == .cancelled)
                }
                let handlerCancelled = try await waitUntil { server.echo.events.cancelled == 1 }
                #expect(handlerCancelled)
            }
        }
    }

    @Test("An oversized request fails with RESOURCE_EXHAUSTED and the connection still serves")
    func oversizedMessage() async throws {
        var configuration = ServerTransportConfiguration()
        configuration.maxMessageSize = 1024
        try await TestServer.with(configuration: configuration) { server in
            try await server.withClient { client in
                let error = await #expect(throws: RPCError.self) {
                    try await client.unary(
                        EchoService.get, request: Array(repeating: 7, count: 4096),
                        serializer: coder, deserializer: coder)
                }
                #expect(error?.code == .resourceExhausted)
                let small = try await client.unary(EchoService.get, request: [9], serializer: coder, deserializer: coder)
                #expect(small == [9])
            }
        }
    }

    @Test("An unknown method fails with UNIMPLEMENTED")
    func unknownMethod() async throws {
        try await TestServer.with { server in
            try await server.withClient { client in
                let error = await #expect(throws: RPCError.self) {
                    try await client.unary(
                        MethodDescriptor(service: "test.Echo", method: "Nope"),
                        request: [1], serializer: coder, deserializer: coder)
                }
                #expect(error?.code == .unimplemented)
            }
        }
    }
}
