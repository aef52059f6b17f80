import FerryRPC
import Testing

/// Light methods (``RPCRouter/runOnConnectionLoop(_:)``) run on their connection's event loop,
/// every other call off the loops, over the real transport.
@Suite("Call placement")
struct CallPlacementTests {
    let coder = BytesCoder()

    @Test("a light unary call runs on its connection's loop, an unmarked one off the loops")
    func unaryPlacement() async throws {
        try await TestServer.with { server in
            try await server.withClient { client in
                let placed = try await client.unary(EchoService.placed, request: [], serializer: coder, deserializer: coder)
                let unplaced = try await client.unary(EchoService.unplaced, request: [], serializer: coder, deserializer: coder)
                #expect(placed == [1])
                #expect(unplaced == [0])
            }
        }
    }

    @Test("a light stream stays on its loop through every suspension")
    func streamPlacement() async throws {
        try await TestServer.with { server in
            try await server.withClient { client in
                let replies = try await client.bidirectional(
                    EchoService.placedStream,
                    serializer: coder,
                    deserializer: coder,
                    requestProducer: { writer in
                        for _ in 0..<20 { try await writer.write([]) }
                    },
                    onResponse: { responses in
                        var all: [[UInt8]] = []
                        for try await response in responses { all.append(response) }
                        return all
                    }
                )
                #expect(replies == Array(repeating: [1], count: 20))
            }
        }
    }
}
