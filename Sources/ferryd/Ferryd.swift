import ArgumentParser
import FerryRPC
import FerryServices
import FerryTLS
import FerryTransport
import Logging
import ServiceLifecycle
import UnixSignals

/// `ferryd`: the Ferry server.
@main
struct Ferryd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ferryd",
        abstract: "Ferry's RPC server: storages, sync jobs and heartbeats over TLS."
    )

    @Option(help: "Address to listen on, host:port.")
    var listen = "127.0.0.1:7443"

    @Option(help: "PEM certificate chain of the server.")
    var tlsCert: String

    @Option(help: "PEM private key of the server certificate.")
    var tlsKey: String

    @Option(help: "PEM CA bundle that signs client (worker) certificates.")
    var tlsCA: String?

    @Option(help: "Client certificates: none, optional or required.")
    var clientAuth: ClientAuthMode = .optional

    @Option(help: "Seconds that in-flight calls get to finish on shutdown.")
    var gracePeriod: Int = 10

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: LogLevel = .info

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = logLevel.level
            return handler
        }
        let logger = Logger(label: "ferryd")
        let address = try ListenAddress(listen)
        let tls = try TLSContext(
            configuration: .server(
                certificateChainPath: tlsCert,
                privateKeyPath: tlsKey,
                trustRootsPath: tlsCA,
                clientCertificateVerification: clientAuth.verification,
                applicationProtocols: [FerryProtocol.alpn]
            )
        )
        var transportConfiguration = ServerTransportConfiguration()
        transportConfiguration.gracePeriod = .seconds(gracePeriod)
        let transport = FerryServerTransport(
            host: address.host,
            port: address.port,
            tls: tls,
            configuration: transportConfiguration
        )
        let health = HealthStatusBoard()
        let server = RPCServer(transport: transport, services: [HealthService(board: health)])
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: RPCServerService(server: server, onShutdown: health.markAllNotServing))],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        Task {
            let bound = try await transport.listeningAddress()
            logger.info("ferryd listening", metadata: ["address": "\(bound)", "alpn": "\(FerryProtocol.alpn)"])
        }
        try await group.run()
        logger.info("ferryd stopped")
    }
}

/// How the server treats client certificates.
enum ClientAuthMode: String, ExpressibleByArgument, CaseIterable {
    case none, optional, required

    var verification: TLSConfiguration.ClientCertificateVerification {
        switch self {
        case .none: .none
        case .optional: .optional
        case .required: .required
        }
    }
}

/// A log level as a command-line argument.
enum LogLevel: String, ExpressibleByArgument, CaseIterable {
    case trace, debug, info, notice, warning, error, critical

    var level: Logger.Level { Logger.Level(rawValue: rawValue)! }
}
