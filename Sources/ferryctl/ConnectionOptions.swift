import ArgumentParser
import FerryCLI
import FerryRPC
import FerryTLS
import FerryTransport
import Foundation

/// How `ferryctl` reaches a server: address, CA bundle, optional client certificate, token.
/// Each may come from a flag, a `FERRYCTL_*` environment variable or a JSON file (see
/// ``ConnectionDefaults``).
struct ConnectionOptions: ParsableArguments {
    @Option(help: "Server address, host:port; replicas comma-separated. [env: FERRYCTL_SERVER] (default: 127.0.0.1:7443)")
    var server: String?

    @Option(help: "PEM CA bundle that signs the server certificate. [env: FERRYCTL_CA]")
    var ca: String?

    @Option(help: "Name the server certificate must match; defaults to each host of --server. [env: FERRYCTL_SERVER_NAME]")
    var serverName: String?

    @Option(help: "PEM client certificate, for mTLS. [env: FERRYCTL_CERT]")
    var cert: String?

    @Option(help: "PEM private key of the client certificate. [env: FERRYCTL_KEY]")
    var key: String?

    @Option(help: "Bearer token for internal-service roles (reader, admin). [env: FERRYCTL_TOKEN]")
    var token: String?

    @Option(help: "JSON file with server, ca, serverName, cert, key, token. [env: FERRYCTL_CONFIG] (default: ~/.config/ferry/ferryctl.json if present)")
    var config: String?

    @Option(help: "Seconds before a call gives up.")
    var timeout: Int = 10

    /// Flags, environment and file, merged.
    func resolved() throws -> ConnectionDefaults {
        let environment = ProcessInfo.processInfo.environment
        var file: ConnectionDefaults.Values = [:]
        if let path = ConnectionDefaults.configPath(flag: config, environment: environment) {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ConnectionDefaultsError(message: "\(path): cannot be read")
            }
            file = try ConnectionDefaults.parseFile(data, path: path)
        }
        var flags: ConnectionDefaults.Values = [:]
        flags["server"] = server
        flags["ca"] = ca
        flags["serverName"] = serverName
        flags["cert"] = cert
        flags["key"] = key
        flags["token"] = token
        return ConnectionDefaults.merge(flags: flags, environment: environment, file: file)
    }

    /// Runs `body` with a connected client and closes it afterwards. The connection settings
    /// (and so the config file) are read once, here.
    func withClient<Result>(_ body: (ConnectedClient) async throws -> Result) async throws -> Result {
        let settings = try resolved()
        guard let ca = settings.ca else {
            throw ConnectionDefaultsError(message: "no CA bundle: pass --ca, set FERRYCTL_CA, or put \"ca\" in the config file")
        }
        let servers = try ServerAddressList(settings.server)
        let tls = try TLSContext(
            configuration: .client(
                trustRootsPath: ca,
                certificateChainPath: settings.cert,
                privateKeyPath: settings.key,
                applicationProtocols: [FerryProtocol.alpn]
            )
        )
        let transport = FerryClientTransport(
            servers: servers,
            serverHostname: settings.serverName,
            tls: tls
        )
        var metadata = Metadata()
        if let token = settings.token {
            metadata.add("Bearer \(token)", forKey: "authorization")
        }
        let client = ConnectedClient(
            rpc: RPCClient(transport: transport),
            options: CallOptions(metadata: metadata, timeout: .seconds(timeout))
        )
        do {
            let result = try await body(client)
            await transport.close()
            return result
        } catch {
            await transport.close()
            throw error
        }
    }
}

/// A connected client with the call options (token, timeout) of this command.
struct ConnectedClient: Sendable {
    /// The RPC client.
    let rpc: RPCClient
    /// Metadata and timeout for every call.
    let options: CallOptions
}
