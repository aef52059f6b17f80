import FerryRPC
import Testing

@Suite("Call shapes over TLS")
struct CallShapeTests {
    let coder = BytesCoder()

    @Test("Unary call round-trips a message")
    func unary() async throws {
        try await TestServer.with { server in
            try await server.withClient { client in
                let response = try await client.unary(
                    EchoService.get, request: [1, 2, 3], serializer: coder, deserializer: coder)
                #expect(response == [1, 2, 3])
            }
        }
    }

    @Test("Client-streaming call gathers every request")
    func clientStreaming() async throws {
        try await TestServer.with { server in
            try await server.withClient { client in
                let response = try await client.clientStreaming(
                    EchoService.collect, serializer: coder, deserializer: coder
                ) { writer in
                    for index in 0..<100 { try await writer.write([UInt8(index)]) }
                }
                #expect(response == (0..<100).map { UInt8($0) })
            }
        }
    }

    @Test("Server-streaming call delivers every response and trailing metadata")
    func serverStreaming() async throws {
        try await TestServer.with { server in
            try await server.withClient { client in
                let (messages, trailers) = try await client.serverStreaming(
                    EchoService.expand,
                    request: [200],
                    serializer: coder,
                    deserializer: coder,
                    options: CallOptions(metadata: ["x-request": "42"])
                ) { responses in
                    var received: [[UInt8]] = []
                    for try await response in responses { received.append(response) }
                    return (received, responses.trailingMetadata)
                }
                #expect(messages == (0..<200).map { [UInt8($0)] })
                #expect(trailers["echo-x-request"] == "42")
            }
        }
    }

    @Test("Bidirectional call answers each request as it comes")
    func bidirectional() async throws {
        try await TestServer.with { server in
            try await server.withClient { client in
                let replies = try await client.bidirectional(
                    EchoService.update,
                    serializer: coder,
                    deserializer: coder,
                    requestProducer: { writer in
                        for index in 0..<50 { try await writer.write([UInt8(index), 0xFF]) }
                    },
                    onResponse: { responses in
                        var received: [[UInt8]] = []
                        for try await response in responses { received.append(response) }
                        return received
                    }
                )
                #expect(replies == (0..<50).map { [0xFF, UInt8($0)] })
            }
        }
    }

    @Test("Many concurrent calls share one connection")
    func concurrentCalls() async throws {
        try await TestServer.with { server in
            try await server.withClient { client in
                try await withThrowingTaskGroup(of: Bool.self) { group in
                    for index in 0..<300 {
                        group.addTask {
                            let request = [UInt8(index % 256), UInt8(index / 256)]
                            let response = try await client.unary(
                                EchoService.get, request: request, serializer: coder, deserializer: coder)
                            return response == request
                        }
                    }
                    var matched = 0
                    for try await ok in group where ok { matched += 1 }
                    #expect(matched == 300)
                }
            }
        }
    }

    @Test("Concurrent client-streaming calls on one connection deliver every message, in order, before the half-close")
    func concurrentClientStreams() async throws {
        // Writers share the connection's outbound queue and race its drains; a message that
        // overtook another, or the half-close, would show up here as a wrong or failed reply.
        let calls = 16
        let messages = 3_000
        try await TestServer.with { server in
            try await server.withClient { client in
                try await withThrowingTaskGroup(of: Bool.self) { group in
                    for call in 0..<calls {
                        group.addTask {
                            let expected = (0..<messages).flatMap { Self.message(call: call, index: $0) }
                            let response = try await client.clientStreaming(
                                EchoService.collect, serializer: coder, deserializer: coder
                            ) { writer in
                                for index in 0..<messages {
                                    try await writer.write(Self.message(call: call, index: index))
                                    if index % 97 == call { await Task.yield() }
                                }
                            }
                            return response == expected
                        }
                    }
                    var matched = 0
                    for try await ok in group where ok { matched += 1 }
                    #expect(matched == calls)
                }
            }
        }
    }

    @Test("Thousands of unary calls, many in flight on one connection, all succeed")
    func manyUnaryCalls() async throws {
        // Each call queues its request and then its half-close while other calls do the same;
        // a half-close that overtook its request would fail the call with INTERNAL.
        let calls = 4_000
        let inFlight = 64
        try await TestServer.with { server in
            try await server.withClient { client in
                try await withThrowingTaskGroup(of: Bool.self) { group in
                    var matched = 0
                    for index in 0..<calls {
                        if index >= inFlight, try await group.next() == true { matched += 1 }
                        group.addTask {
                            let request = [UInt8(index % 256), UInt8(index / 256)]
                            let response = try await client.unary(
                                EchoService.get, request: request, serializer: coder, deserializer: coder)
                            return response == request
                        }
                    }
                    for try await ok in group where ok { matched += 1 }
                    #expect(matched == calls)
                }
            }
        }
    }

    private static func message(call: Int, index: Int) -> [UInt8] {
        [UInt8(call), UInt8(index >> 8), UInt8(index & 0xFF)] + [UInt8](repeating: 0xA5, count: 45)
    }
}
