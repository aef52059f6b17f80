public import Logging
import FerryRPC
import FerryTLS
import FerryTransport
import ServiceLifecycle
import UnixSignals

/// The `ferryd` process: builds the TLS context and the services from settings, then runs them
/// in a service group that shuts down gracefully on SIGTERM and SIGINT.
public struct FerryServerProcess: Sendable {
    private let settings: ServerSettings
    private let logger: Logger

    /// Creates the process.
    ///
    /// - Parameters:
    ///   - settings: Validated settings.
    ///   - logger: Where to log.
    public init(settings: ServerSettings, logger: Logger) {
        self.settings = settings
        self.logger = logger
    }

    /// Runs until a shutdown signal, then drains in-flight calls.
    ///
    /// - Throws: When the TLS files cannot be loaded or the address cannot be bound.
    public func run() async throws {
        let tls = try TLSContext(
            configuration: .server(
                certificateChainPath: settings.tlsCertificate,
                privateKeyPath: settings.tlsKey,
                trustRootsPath: settings.tlsCA,
                clientCertificateVerification: settings.clientAuth,
                applicationProtocols: [FerryProtocol.alpn]
            )
        )
        var transportConfiguration = ServerTransportConfiguration()
        transportConfiguration.gracePeriod = settings.gracePeriod
        let transport = FerryServerTransport(
            host: settings.listen.host,
            port: settings.listen.port,
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
        let logger = self.logger
        Task {
            let bound = try await transport.listeningAddress()
            logger.info("ferryd listening", metadata: ["address": "\(bound)", "alpn": "\(FerryProtocol.alpn)"])
        }
        try await group.run()
        logger.info("ferryd stopped")
    }
}
