import FerryRPC
import FerryTestSupport
import NIOCore
import Testing

@testable import FerryTransport

/// A client given several servers (replicas sharing state) uses whichever answers, and moves to
/// another when the one it uses goes away.
@Suite("Several servers")
struct ReplicaFailoverTests {
    let coder = BytesCoder()

    func transport(_ ports: [Int]) throws -> FerryClientTransport {
        FerryClientTransport(
            servers: try ServerAddressList(ports.map { "127.0.0.1:\($0)" }.joined(separator: ",")),
            serverHostname: "localhost", tls: try TestServer.clientTLS())
    }

    @Test("a server that refuses connections is skipped, wherever it is in the list")
    func deadServerIsSkipped() async throws {
        try await RefusingPort.with { refusing in
            let dead = refusing[0]
            try await TestServer.with { live in
                // Each transport starts at a random place in the list: a few of them start at the dead one.
                for ports in Array(repeating: [dead, live.port], count: 4) + Array(repeating: [live.port, dead], count: 4) {
                    let transport = try transport(ports)
                    let reply = try await RPCClient(transport: transport).unary(
                        EchoService.slow, request: [1], serializer: coder, deserializer: coder)
                    #expect(reply == [1])
                    await transport.close()
                }
                #expect(live.echo.events.started == 8)
            }
        }
    }

    @Test("when the server in use shuts down, the next call goes to the other replica")
    func shutdownMovesToTheOtherReplica() async throws {
        try await TestServer.with { first in
            try await TestServer.with { second in
                let transport = try transport([first.port, second.port])
                let client = RPCClient(transport: transport)
                _ = try await client.unary(EchoService.slow, request: [1], serializer: coder, deserializer: coder)
                let (used, other) = first.echo.events.started == 1 ? (first, second) : (second, first)
                #expect(used.echo.events.started == 1 && other.echo.events.started == 0)

                used.server.beginGracefulShutdown()
                // A call racing the shutdown may still be served by the old replica; later ones go
                // to the other, with no call failing once the client saw the GOAWAY.
                let moved = try await waitUntil {
                    _ = try? await client.unary(EchoService.slow, request: [1], serializer: coder, deserializer: coder)
                    return other.echo.events.started >= 1
                }
                #expect(moved)
                let reply = try await client.unary(EchoService.slow, request: [2], serializer: coder, deserializer: coder)
                #expect(reply == [2])
                await transport.close()
            }
        }
    }

    @Test("with every server down, a call fails UNAVAILABLE naming each of them")
    func allDownNamesEachServer() async throws {
        try await RefusingPort.with(count: 2) { ports in
            let transport = try transport(ports)
            let error = await #expect(throws: RPCError.self) {
                try await RPCClient(transport: transport).unary(EchoService.slow, request: [1], serializer: coder, deserializer: coder)
            }
            #expect(error?.code == .unavailable)
            for port in ports {
                #expect(error?.message.contains("127.0.0.1:\(port)") == true, "\(error?.message ?? "")")
            }
            await transport.close()
        }
    }

    @Test("a list keeps its order, drops repeats, and refuses an empty or malformed element")
    func addressListParsing() throws {
        let list = try ServerAddressList(" a:1, [::1]:2 ,a:1")
        #expect(list.addresses == [ListenAddress(host: "a", port: 1), ListenAddress(host: "::1", port: 2)])
        #expect(list.description == "a:1,[::1]:2")
        for bad in ["", "a:1,", "a:1,,b:2", "a", "a:1,b:99999"] {
            #expect(throws: ListenAddress.ParseError.self) { try ServerAddressList(bad) }
        }
    }

    @Test("every server resolves to its addresses in list order; a name that does not resolve is reported")
    func resolution() async throws {
        let (candidates, failures) = await ServerResolver.resolve(
            try ServerAddressList("127.0.0.1:1,localhost:2,no-such-host.invalid:3"))
        #expect(candidates.map(\.server.port).first == 1)
        #expect(candidates.contains { $0.server.host == "localhost" && $0.address.port == 2 })
        #expect(failures.count == 1 && failures[0].contains("no-such-host.invalid"))
    }
}
