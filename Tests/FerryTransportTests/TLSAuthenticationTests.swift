import FerryRPC
import FerryTLS
import FerryTestSupport
import Testing

@Suite("TLS verification and mutual TLS")
struct TLSAuthenticationTests {
    let coder = BytesCoder()

    @Test("A verified client certificate's identity reaches the handler")
    func peerIdentity() async throws {
        try await TestServer.with(clientCertificates: .required) { server in
            try await server.withClient { client in
                let sans = try await client.unary(EchoService.whoAmI, request: [], serializer: coder, deserializer: coder)
                #expect(String(decoding: sans, as: UTF8.self).contains("URI:ferry://worker/worker-1"))
            }
        }
    }

    @Test("mTLS required and no client certificate: refused, UNAUTHENTICATED")
    func missingClientCertificate() async throws {
        try await TestServer.with(clientCertificates: .required) { server in
            let tls = try TestServer.clientTLS(certificate: nil, key: nil)
            try await server.withClient(tls: tls) { client in
                let error = await #expect(throws: RPCError.self) {
                    try await client.unary(EchoService.get, request: [1], serializer: coder, deserializer: coder)
                }
                #expect(error?.code == .unauthenticated, "\(String(describing: error))")
            }
        }
    }

    @Test("A client certificate from another CA: refused, UNAUTHENTICATED")
    func foreignClientCertificate() async throws {
        try await TestServer.with(clientCertificates: .required) { server in
            let pki = TestPKI.shared
            let tls = try TestServer.clientTLS(certificate: pki.foreignCertificate, key: pki.foreignKey)
            try await server.withClient(tls: tls) { client in
                let error = await #expect(throws: RPCError.self) {
                    try await client.unary(EchoService.get, request: [1], serializer: coder, deserializer: coder)
                }
                #expect(error?.code == .unauthenticated, "\(String(describing: error))")
            }
        }
    }

    @Test("A server whose certificate does not match the host name: refused by the client")
    func wrongHostName() async throws {
        try await TestServer.with { server in
            try await server.withClient(serverHostname: "not-the-server.example") { client in
                let error = await #expect(throws: RPCError.self) {
                    try await client.unary(EchoService.get, request: [1], serializer: coder, deserializer: coder)
                }
                #expect(error?.code == .unavailable)
                #expect(
                    error?.message.contains("certificate") == true || error?.message.contains("host") == true,
                    "\(error?.message ?? "")"
                )
            }
        }
    }

    @Test("A server signed by a CA the client does not trust: refused")
    func untrustedServer() async throws {
        try await TestServer.with { server in
            let pki = TestPKI.shared
            let tls = try TLSContext(
                configuration: .client(trustRootsPath: pki.foreignCAPath, applicationProtocols: ["ferry/1"]))
            try await server.withClient(tls: tls) { client in
                let error = await #expect(throws: RPCError.self) {
                    try await client.unary(EchoService.get, request: [1], serializer: coder, deserializer: coder)
                }
                #expect(error?.code == .unavailable)
            }
        }
    }

    @Test("A bad key path fails at start-up with a configuration error")
    func badConfiguration() throws {
        let error = #expect(throws: TLSError.self) {
            try TLSContext(
                configuration: .server(
                    certificateChainPath: TestPKI.shared.serverCertificate,
                    privateKeyPath: "/nonexistent/key.pem",
                    applicationProtocols: ["ferry/1"]))
        }
        #expect(error?.code == .configuration)
    }
}
