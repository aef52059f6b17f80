import FerryRPC
import FerryTransport
import Synchronization
import Testing

@Suite("Graceful shutdown and reconnection")
struct LifecycleTests {
    let coder = BytesCoder()

    @Test("Graceful shutdown lets an in-flight call finish and refuses new ones")
    func gracefulShutdown() async throws {
        try await TestServer.with { server in
            let transport = try server.clientTransport()
            let client = RPCClient(transport: transport)
            let inFlight = Task {
                try await client.unary(EchoService.slow, request: [30], serializer: coder, deserializer: coder)
            }
            let started = try await waitUntil { server.echo.events.started == 1 }
            #expect(started)
            server.server.beginGracefulShutdown()
            // The call that was running when shutdown began completes normally.
            #expect(try await inFlight.value == [30])
            // New calls cannot reach a server that has stopped accepting.
            let error = await #expect(throws: RPCError.self) {
                try await client.unary(EchoService.get, request: [1], serializer: coder, deserializer: coder)
            }
            #expect(error?.code == .unavailable)
            await transport.close()
        }
    }

    @Test("Graceful shutdown ends a streaming call at once with UNAVAILABLE; a unary call keeps its grace period")
    func shutdownEndsStreamingCallsAtOnce() async throws {
        try await TestServer.with { server in
            let transport = try server.clientTransport()
            let client = RPCClient(transport: transport)
            let ended = EndOrder()
            let (echoes, echoed) = AsyncStream.makeStream(of: Void.self)
            let streaming = Task { () -> RPCError? in
                defer { ended.record("stream") }
                do {
                    try await client.bidirectional(
                        EchoService.update, serializer: coder, deserializer: coder,
                        requestProducer: { writer in
                            try await writer.write([1, 2])
                            try await Task.sleep(for: .seconds(60))  // A worker's stream never half-closes.
                        },
                        onResponse: { replies in for try await _ in replies { echoed.yield() } }
                    )
                    return nil
                } catch let error as RPCError {
                    return error
                }
            }
            // The stream is being served once its first reply is back.
            var replies = echoes.makeAsyncIterator()
            _ = await replies.next()
            let unary = Task {
                defer { ended.record("unary") }
                return try await client.unary(EchoService.slow, request: [200], serializer: coder, deserializer: coder)
            }
            #expect(try await waitUntil { server.echo.events.started == 1 })

            server.server.beginGracefulShutdown()
            let error = try await streaming.value
            #expect(error?.code == .unavailable, "\(String(describing: error))")
            // The 2-second unary call started before shutdown and finishes normally, after the stream.
            #expect(try await unary.value == [200])
            #expect(ended.names == ["stream", "unary"])
            await transport.close()
        }
    }

    @Test("A client reconnects after the server comes back, once its backoff has passed")
    func reconnection() async throws {
        var configuration = ClientTransportConfiguration()
        configuration.backoff.initial = .milliseconds(50)
        configuration.backoff.maximum = .milliseconds(100)
        let fastBackoff = configuration
        let port = try await TestServer.with { server in server.port }
        let transport = try await TestServer.with(port: port) { server in
            let transport = try server.clientTransport(configuration: fastBackoff)
            let client = RPCClient(transport: transport)
            let first = try await client.unary(EchoService.get, request: [1], serializer: coder, deserializer: coder)
            #expect(first == [1])
            return transport
        }
        let client = RPCClient(transport: transport)
        let error = await #expect(throws: RPCError.self) {
            try await client.unary(EchoService.get, request: [2], serializer: coder, deserializer: coder)
        }
        #expect(error?.code == .unavailable)
        try await TestServer.with(port: port) { _ in
            let reconnected = try await waitUntil {
                (try? await client.unary(EchoService.get, request: [3], serializer: coder, deserializer: coder)) == [3]
            }
            #expect(reconnected)
        }
        await transport.close()
    }

    @Test("Backoff grows by its multiplier, is capped, and jitter stays within bounds")
    func backoffArithmetic() {
        let backoff = ConnectionBackoff()
        #expect(backoff.delay(afterFailures: 1, random: 0) == .seconds(1))
        #expect(backoff.delay(afterFailures: 2, random: 0) == .milliseconds(1600))
        #expect(backoff.delay(afterFailures: 50, random: 0) == .seconds(30))
        #expect(backoff.delay(afterFailures: 1, random: 1) == .milliseconds(1200))
        #expect(backoff.delay(afterFailures: 1, random: -1) == .milliseconds(800))
    }
}

/// The order in which concurrent calls ended.
private final class EndOrder: Sendable {
    private let order = Mutex<[String]>([])
    var names: [String] { order.withLock { $0 } }
    func record(_ name: String) { order.withLock { $0.append(name) } }
}
