import FerryRPC
import FerryTLS
import FerryTestSupport
import FerryTransport
import NIOCore
import NIOPosix

/// A real Ferry server on 127.0.0.1 with an ephemeral port, TLS from ``TestPKI``.
struct TestServer: Sendable {
    let port: Int
    let echo: EchoService
    let server: RPCServer

    /// Runs `body` against a fresh server, then shuts the server down gracefully.
    static func with<Result: Sendable>(
        clientCertificates: TLSConfiguration.ClientCertificateVerification = .optional,
        port: Int = 0,
        configuration: ServerTransportConfiguration = ServerTransportConfiguration(),
        _ body: @Sendable (TestServer) async throws -> Result
    ) async throws -> Result {
        let pki = TestPKI.shared
        let tls = try TLSContext(
            configuration: .server(
                certificateChainPath: pki.serverCertificate,
                privateKeyPath: pki.serverKey,
                trustRootsPath: pki.caPath,
                clientCertificateVerification: clientCertificates,
                applicationProtocols: ["ferry/1"]
            )
        )
        let transport = FerryServerTransport(host: "127.0.0.1", port: port, tls: tls, configuration: configuration)
        let echo = EchoService()
        let server = RPCServer(transport: transport, services: [echo])
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.serve() }
            let address = try await transport.listeningAddress()
            let testServer = TestServer(port: address.port!, echo: echo, server: server)
            do {
                let result = try await body(testServer)
                server.beginGracefulShutdown()
                try await group.waitForAll()
                return result
            } catch {
                server.beginGracefulShutdown()
                try? await group.waitForAll()
                throw error
            }
        }
    }

    /// A client TLS context; by default with the worker certificate.
    static func clientTLS(certificate: String? = TestPKI.shared.workerCertificate,
                          key: String? = TestPKI.shared.workerKey) throws -> TLSContext {
        try TLSContext(
            configuration: .client(
                trustRootsPath: TestPKI.shared.caPath,
                certificateChainPath: certificate,
                privateKeyPath: key,
                applicationProtocols: ["ferry/1"]
            )
        )
    }

    /// A transport to this server.
    func clientTransport(
        tls: TLSContext? = nil,
        serverHostname: String = "localhost",
        configuration: ClientTransportConfiguration = ClientTransportConfiguration()
    ) throws -> FerryClientTransport {
        FerryClientTransport(
            host: "127.0.0.1",
            port: port,
            serverHostname: serverHostname,
            tls: try tls ?? Self.clientTLS(),
            configuration: configuration
        )
    }

    /// Runs `body` with a client whose transport is closed afterwards.
    func withClient<Result: Sendable>(
        tls: TLSContext? = nil,
        serverHostname: String = "localhost",
        _ body: (RPCClient) async throws -> Result
    ) async throws -> Result {
        let transport = try clientTransport(tls: tls, serverHostname: serverHostname)
        do {
            let result = try await body(RPCClient(transport: transport))
            await transport.close()
            return result
        } catch {
            await transport.close()
            throw error
        }
    }
}

/// Waits until `condition` holds, polling; fails after `timeout`. For conditions that another
/// task or process makes true.
func waitUntil(
    timeout: Duration = .seconds(10),
    _ condition: @Sendable () async throws -> Bool
) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(10))
    }
    return false
}
