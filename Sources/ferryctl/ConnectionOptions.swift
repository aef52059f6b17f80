import ArgumentParser
import FerryRPC
import FerryTLS
import FerryTransport

/// How `ferryctl` reaches a server: address, CA bundle, optional client certificate, token.
struct ConnectionOptions: ParsableArguments {
    @Option(help: "Server address, host:port.")
    var server = "127.0.0.1:7443"

    @Option(help: "PEM CA bundle that signs the server certificate.")
    var ca: String

    @Option(help: "Name the server certificate must match; defaults to the host of --server.")
    var serverName: String?

    @Option(help: "PEM client certificate, for mTLS.")
    var cert: String?

    @Option(help: "PEM private key of the client certificate.")
    var key: String?

    @Option(help: "Bearer token for internal-service roles (reader, admin).")
    var token: String?

    @Option(help: "Seconds before a call gives up.")
    var timeout: Int = 10

    /// Runs `body` with a connected client and closes it afterwards.
    func withClient<Result>(_ body: (RPCClient) async throws -> Result) async throws -> Result {
        let address = try ListenAddress(server)
        let tls = try TLSContext(
            configuration: .client(
                trustRootsPath: ca,
                certificateChainPath: cert,
                privateKeyPath: key,
                applicationProtocols: [FerryProtocol.alpn]
            )
        )
        let transport = FerryClientTransport(
            host: address.host,
            port: address.port,
            serverHostname: serverName ?? address.host,
            tls: tls
        )
        do {
            let result = try await body(RPCClient(transport: transport))
            await transport.close()
            return result
        } catch {
            await transport.close()
            throw error
        }
    }

    /// Call options with this command's timeout.
    var callOptions: CallOptions {
        var metadata = Metadata()
        if let token {
            metadata.add("Bearer \(token)", forKey: "authorization")
        }
        return CallOptions(metadata: metadata, timeout: .seconds(timeout))
    }
}
