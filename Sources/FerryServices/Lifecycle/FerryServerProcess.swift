public import Logging
import FerryCore
import FerryCrypto
import FerryMetrics
import FerryProto
import FerryRPC
import FerrySettings
import FerryStore
import FerryTLS
import FerryTransport
import ServiceLifecycle
import UnixSignals

/// The `ferryd` process: opens the store, builds the TLS context, the services and the access
/// policy from settings, then runs them in a service group that shuts down gracefully on SIGTERM
/// and SIGINT (the RPC server drains first, the store closes last).
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

    /// Runs until a shutdown signal, then drains in-flight calls and closes the store.
    ///
    /// - Throws: When the TLS files, tokens, key or database cannot be used, or the address cannot be bound.
    public func run() async throws {
        // Every connection holds a descriptor: take all the system allows.
        let descriptors = DescriptorLimit.raiseSoftToHard()
        // Before anything counts: metrics made earlier would stay no-ops.
        if settings.metricsListen != nil {
            MetricsBackend.bootstrap()
            ServerMetrics.register()
        }
        logger.info("Descriptor limit", metadata: ["soft": "\(descriptors.soft)", "hard": "\(descriptors.hard)"])
        let tokens = try settings.tokensPath.map(BearerTokenRegistry.init(contentsOf:)) ?? BearerTokenRegistry()
        let validator = StorageValidator(
            configuration: .init(localFilesRoot: try settings.localFilesRoot.map(LocalFilesRoot.init))
        )
        let key: [UInt8]
        switch settings.database {
        case .sqlite: key = try SecretsKeyFile.loadOrCreate(at: settings.secretsKeyPath)
        case .postgres: key = try SecretsKeyFile.load(at: settings.secretsKeyPath)
        }
        let tls = try TLSContext(
            configuration: .server(
                certificateChainPath: settings.tlsCertificate,
                privateKeyPath: settings.tlsKey,
                trustRootsPath: settings.tlsCA,
                clientCertificateVerification: settings.clientAuth,
                applicationProtocols: [FerryProtocol.alpn],
                // Ticket keys come from the secrets key (through a hash with their own label, so the
                // sealing key itself is never used for them): every replica, and this server after
                // a restart, accepts the tickets any of them issued.
                sessionTickets: settings.sessionLifetime.map {
                    .init(keySecret: SHA256.digest(Array("ferry tls session tickets v1|".utf8) + key), lifetime: $0)
                }
            )
        )
        let sealer = try AESSecretSealer(key: key)
        let store = try await settings.database.open(sealer: sealer, logger: logger)

        let set = FerryServiceSet(
            store: store, policy: settings.termination, validator: validator, clock: SystemClock(), logger: logger)

        var transportConfiguration = ServerTransportConfiguration()
        transportConfiguration.gracePeriod = settings.gracePeriod
        transportConfiguration.keepaliveInterval = settings.keepalive.interval
        transportConfiguration.keepaliveTimeout = settings.keepalive.timeout
        let transport = FerryServerTransport(
            host: settings.listen.host,
            port: settings.listen.port,
            tls: tls,
            configuration: transportConfiguration
        )
        // Heartbeat streams run on threads of their own, so they never delay other calls.
        let streams = ThreadPoolTaskExecutor()
        defer { streams.shutdown() }
        let server = RPCServer(
            transport: transport,
            services: set.services,
            interceptors: [AuthInterceptor(tokens: tokens, policy: .ferry, audit: AuditLog(logger: logger))],
            streamingExecutor: streams,
            observer: settings.metricsListen == nil ? nil : RPCMetrics()
        )
        var metrics: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let address = settings.metricsListen {
            metrics = [
                .init(service: MetricsEndpoint(host: address.host, port: address.port, logger: logger)),
                .init(service: set.statisticsSampler(logger: logger)),
            ]
        }
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: StoreService(store: store, beforeClose: set.workers.flushPendingProgress)),
                    .init(service: StoreChangeService(store: store, handle: set.follow)),
                    .init(service: set.terminationSweep(logger: logger)),
                    .init(service: RPCServerService(server: server, onShutdown: set.beginShutdown)),
                ] + metrics,
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        let logger = self.logger
        Task {
            let bound = try await transport.listeningAddress()
            logger.info(
                "ferryd listening",
                metadata: ["address": "\(bound)", "alpn": "\(FerryProtocol.alpn)", "database": "\(settings.database)",
                           "tokens": "\(tokens.count)"]
            )
        }
        try await group.run()
        logger.info("ferryd stopped")
    }
}

extension AccessPolicy {
    /// Ferry's policy: health is open; readers list and read; admins manage; workers run jobs.
    public static var ferry: AccessPolicy {
        typealias Storage = FerryV1.Methods.StorageService
        var policy = AccessPolicy()
        policy.allowUnauthenticated(service: FerryV1.Methods.Health.service)
        policy.allow([.admin], service: Storage.service)
        for method in [
            Storage.getStorage, Storage.listStorages, Storage.listTasks, Storage.listDatasetObjects, Storage.listWorkers,
            Storage.watchStorages, Storage.listJobs,
        ] {
            policy.allow([.reader, .admin], method: method)
        }
        policy.allow([.worker], service: FerryV1.Methods.WorkerService.service)
        return policy
    }
}
