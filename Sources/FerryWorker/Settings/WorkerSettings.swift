public import FerryLogging
public import FerryCore
public import FerrySettings
public import FerryTransport
public import FerryProto

/// Everything `ferry-worker` is configured with, after defaults and validation.
///
/// Loaded by ``WorkerSettings/load(from:)`` from flags, environment variables and a JSON file
/// (highest priority first), like `ferryd`'s settings.
public struct WorkerSettings: Sendable {
    /// The servers to connect to: one `ferryd`, or replicas sharing one database.
    public var servers: ServerAddressList
    /// The name every server certificate must match; `nil` for each server's own host.
    public var serverName: String?
    /// The CA bundle that signs the server certificate (PEM).
    public var caPath: String
    /// The worker's client certificate (PEM); its name is the worker id the server knows.
    public var certificatePath: String
    /// The certificate's private key (PEM).
    public var keyPath: String
    /// The worker id to claim jobs under; empty to let the server take it from the certificate.
    public var workerID: String
    /// How many jobs run at once.
    public var maxJobs: Int
    /// The storage kinds whose jobs this worker claims.
    public var kinds: [FerryV1.StorageKind]
    /// How long one AcquireJob long-poll may wait on the server.
    public var acquireWait: Duration
    /// The directory local-files storages are read from (the same tree as the server's root).
    public var localFilesRoot: String?
    /// The providers this worker offers; `nil` for every one it can reach (`local` only with
    /// ``localFilesRoot``).
    public var providers: Set<StorageProvider>?
    /// Tasks handed over per SubmitImportBatch.
    public var batchSize: Int
    /// How long running jobs get to report "worker shutting down" after SIGTERM.
    public var shutdownGracePeriod: Duration
    /// How reconnection and retries back off when the server is away.
    public var backoff: ConnectionBackoff
    /// When a silent server is pinged and the connection given up on.
    public var keepalive: KeepaliveSettings
    /// Where `/metrics` is served over plain HTTP; `nil` for nowhere.
    public var metricsListen: ListenAddress?
    /// Log level and format.
    public var log: LogSettings

    /// Creates settings; ``load(from:)`` is the usual way.
    public init(
        servers: ServerAddressList,
        serverName: String? = nil,
        caPath: String,
        certificatePath: String,
        keyPath: String,
        workerID: String = "",
        maxJobs: Int = 2,
        kinds: [FerryV1.StorageKind] = [.import, .export, .dataset],
        acquireWait: Duration = .seconds(20),
        localFilesRoot: String? = nil,
        providers: Set<StorageProvider>? = nil,
        batchSize: Int = 5000,
        shutdownGracePeriod: Duration = .seconds(10),
        backoff: ConnectionBackoff = ConnectionBackoff(),
        keepalive: KeepaliveSettings = WorkerSettings.defaultKeepalive,
        metricsListen: ListenAddress? = nil,
        log: LogSettings = LogSettings()
    ) {
        self.servers = servers
        self.serverName = serverName
        self.caPath = caPath
        self.certificatePath = certificatePath
        self.keyPath = keyPath
        self.workerID = workerID
        self.maxJobs = maxJobs
        self.kinds = kinds
        self.acquireWait = acquireWait
        self.localFilesRoot = localFilesRoot
        self.providers = providers
        self.batchSize = batchSize
        self.shutdownGracePeriod = shutdownGracePeriod
        self.backoff = backoff
        self.keepalive = keepalive
        self.metricsListen = metricsListen
        self.log = log
    }
}
