import FerryMetrics
import FerryProviders
import FerryProto
import FerryRPC
import FerrySettings
import FerryTLS
import FerryTransport
import Foundation
public import Logging
import ServiceLifecycle
import UnixSignals

/// The `ferry-worker` process: builds the TLS client from settings, then runs the worker loop
/// in a service group that shuts down gracefully on SIGTERM and SIGINT.
public struct WorkerProcess: Sendable {
    private let settings: WorkerSettings
    private let logger: Logger

    /// Creates the process.
    ///
    /// - Parameters:
    ///   - settings: Validated settings.
    ///   - logger: Where to log.
    public init(settings: WorkerSettings, logger: Logger) {
        self.settings = settings
        self.logger = logger
    }

    /// Runs until a shutdown signal, then stops the running jobs.
    ///
    /// - Throws: When the TLS files cannot be used.
    public func run() async throws {
        // Before anything counts: metrics made earlier would stay no-ops.
        if settings.metricsListen != nil {
            MetricsBackend.bootstrap()
            WorkerMetrics.register()
        }
        let tls = try TLSContext(
            configuration: .client(
                trustRootsPath: settings.caPath,
                certificateChainPath: settings.certificatePath,
                privateKeyPath: settings.keyPath,
                applicationProtocols: [FerryProtocol.alpn]
            )
        )
        var configuration = ClientTransportConfiguration()
        configuration.backoff = settings.backoff
        configuration.keepaliveInterval = settings.keepalive.interval
        configuration.keepaliveTimeout = settings.keepalive.timeout
        let transport = FerryClientTransport(
            servers: settings.servers,
            serverHostname: settings.serverName,
            tls: tls,
            configuration: configuration
        )
        let instanceID = UUID().uuidString.lowercased()
        var logger = self.logger
        logger[metadataKey: "instance"] = "\(instanceID)"
        let client = WorkerClient(
            rpc: RPCClient(transport: transport), instanceID: instanceID, backoff: settings.backoff,
            serverMessageLimit: { transport.serverMaxMessageSize }, logger: logger)
        let (executors, stopExecutors) = JobExecutors.dedicated(maxJobs: settings.maxJobs)
        defer { stopExecutors() }
        let stores = JobStores(
            registry: ProviderRegistry.standard(ProviderContext(localFilesRoot: settings.localFilesRoot))
                .restricted(to: settings.providers))
        let displayName = settings.workerID.isEmpty ? "(instance \(instanceID))" : "'\(settings.workerID)' (instance \(instanceID))"
        let service = WorkerService(
            client: client,
            runner: JobRunner(
                client: client, stores: stores.store(for:), workerID: displayName, batchSize: settings.batchSize,
                executors: executors, logger: logger),
            stores: stores,
            request: FerryV1.AcquireJobRequest(
                workerID: settings.workerID,
                instanceID: instanceID,
                capabilities: FerryV1.WorkerCapabilities(
                    kinds: settings.kinds,
                    providers: stores.providers,
                    maxConcurrentJobs: Int32(settings.maxJobs),
                    version: WorkerProcess.version
                ),
                waitTimeMicros: settings.acquireWait.microseconds
            ),
            maxJobs: settings.maxJobs,
            gracePeriod: settings.shutdownGracePeriod,
            logger: logger
        )
        let offered = stores.offeredProviderNames
        logger.info(
            "ferry-worker starting",
            metadata: [
                "servers": "\(settings.servers)", "jobs": "\(settings.maxJobs)", "kinds": "\(settings.kinds.map { "\($0)" }.joined(separator: ","))",
                "providers": "\(offered.joined(separator: ","))",
            ]
        )
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: service)]
                    + (settings.metricsListen.map { address in
                        [.init(service: MetricsEndpoint(host: address.host, port: address.port, logger: logger))]
                    } ?? []),
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        do {
            try await group.run()
        } catch {
            await transport.close()
            throw error
        }
        await transport.close()
    }

    /// The worker's version, reported in its capabilities.
    public static let version = "0.1.0"
}

extension Duration {
    /// The duration in whole microseconds.
    var microseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }
}
