import FerryRPC
import FerryTransport
import Testing

/// The client transport reports the request limit the server announced in its SETTINGS, so
/// callers can size requests before sending them.
@Suite("Server message limit")
struct ServerLimitTests {
    @Test("serverMaxMessageSize is the server's MAX_MESSAGE_SIZE once connected, nil before and after")
    func reportsTheAnnouncedLimit() async throws {
        var configuration = ServerTransportConfiguration()
        configuration.maxMessageSize = 12_345
        try await TestServer.with(configuration: configuration) { server in
            let transport = try server.clientTransport()
            #expect(transport.serverMaxMessageSize == nil)
            try await transport.connect()
            #expect(transport.serverMaxMessageSize == 12_345)
            await transport.close()
            #expect(transport.serverMaxMessageSize == nil)
        }
    }
}
