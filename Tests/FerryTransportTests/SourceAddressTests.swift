import FerryRPC
import FerryTransport
import NIOCore
import Testing

/// A client transport's connections leave from ``ClientTransportConfiguration/sourceAddress``
/// when one is set, so a client can spread connections over several loopback addresses.
@Suite("Source address")
struct SourceAddressTests {
    let coder = BytesCoder()

    @Test("connections leave from the configured source address, or the kernel's choice without one")
    func sourceAddress() async throws {
        try await TestServer.with { server in
            var configuration = ClientTransportConfiguration()
            configuration.sourceAddress = try SocketAddress(ipAddress: "127.0.0.3", port: 0)
            let bound = try server.clientTransport(configuration: configuration)
            let unbound = try server.clientTransport()
            let fromBound = try await peerAddress(through: bound)
            let fromUnbound = try await peerAddress(through: unbound)
            #expect(fromBound.contains("127.0.0.3:"), "server saw \(fromBound)")
            #expect(fromUnbound.contains("127.0.0.1:"), "server saw \(fromUnbound)")
        }
    }

    @Test("a source address that is not local fails the connect with a clear error")
    func foreignSourceAddress() async throws {
        try await TestServer.with { server in
            var configuration = ClientTransportConfiguration()
            configuration.sourceAddress = try SocketAddress(ipAddress: "192.0.2.1", port: 0)
            configuration.connectTimeout = .seconds(5)
            let transport = try server.clientTransport(configuration: configuration)
            await #expect(throws: RPCError.self) { try await transport.connect() }
            await transport.close()
        }
    }

    private func peerAddress(through transport: FerryClientTransport) async throws -> String {
        let client = RPCClient(transport: transport)
        let reply = try await client.unary(EchoService.peerAddress, request: [], serializer: coder, deserializer: coder)
        await transport.close()
        return String(decoding: reply, as: UTF8.self)
    }
}
