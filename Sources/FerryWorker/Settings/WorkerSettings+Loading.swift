public import Configuration
import FerryCore
import FerryLogging
import FerryMetrics
public import FerrySettings
import FerryTransport
import Foundation
public import FerryProto

extension WorkerSettings {
    /// The keepalive timing a worker uses unless configured otherwise: tighter than the
    /// server's, so a worker notices a vanished server well within a job's `stale_after`.
    public static let defaultKeepalive = KeepaliveSettings(interval: .seconds(10), timeout: .seconds(5))

    /// The keys `ferry-worker` reads, with their defaults, for `--help` and the README.
    public static let documentedKeys: [DocumentedSetting] = [
        .init("config", "", "JSON configuration file (its keys are the ones below, nested by dots)"),
        .init("server", "127.0.0.1:7443", "ferryd address, host:port; replicas comma-separated (a JSON list in the file)"),
        .init("tls.serverName", "<host of server>", "name the server certificate must match"),
        .init("tls.ca", "", "PEM CA bundle that signs the server certificate (required)"),
        .init("tls.cert", "", "PEM worker client certificate (required)"),
        .init("tls.key", "", "PEM private key of the worker certificate (required)"),
        .init("worker.id", "<name in the certificate>", "worker id; must be the certificate's name"),
        .init("worker.maxJobs", "2", "jobs run at once"),
        .init("worker.acquireWaitSeconds", "20", "how long one AcquireJob long-poll may wait"),
        .init("worker.kinds", "import,export,dataset", "storage kinds whose jobs this worker claims, comma-separated"),
        .init("storage.localFilesRoot", "", "directory local-files storages are read from"),
        .init(
            "worker.providers", "<all it can reach>",
            "providers whose jobs this worker claims, comma-separated: local (needs storage.localFilesRoot), s3, gcs, azure_blob, redis"
        ),
        .init("import.batchSize", "5000", "tasks handed over per SubmitImportBatch, at most 2 MiB (1-5000)"),
        .init("shutdown.gracePeriodSeconds", "10", "time running jobs get to report on SIGTERM"),
        .init("backoff.initialSeconds", "1", "first wait after the server could not be reached"),
        .init("backoff.maximumSeconds", "30", "longest wait between reconnection attempts"),
    ] + KeepaliveSettings.documentedKeys(defaults: defaultKeepalive, peer: "the server") + [
        MetricsSettings.documentedKey,
    ] + LogSettings.documentedKeys

    /// Reads and validates settings.
    ///
    /// - Parameter config: A reader over flags, environment and file.
    /// - Returns: The settings.
    /// - Throws: ``SettingsError`` naming the first missing or invalid key.
    public static func load(from config: ConfigReader) throws -> WorkerSettings {
        let servers = try serverList(config)
        func required(_ key: String, _ what: String) throws -> String {
            guard let value = config.string(forKey: ConfigKey(key)), !value.isEmpty else {
                throw SettingsError(key: key, message: "\(what) is required")
            }
            return value
        }
        let ca = try required("tls.ca", "the CA bundle that signs the server certificate")
        let certificate = try required("tls.cert", "the worker's client certificate (workers authenticate with mTLS)")
        let key = try required("tls.key", "the worker certificate's private key")
        let maxJobs = config.int(forKey: "worker.maxJobs", default: 2)
        guard (1...256).contains(maxJobs) else {
            throw SettingsError(key: "worker.maxJobs", message: "must be between 1 and 256")
        }
        let batchSize = config.int(forKey: "import.batchSize", default: 5000)
        guard (1...5000).contains(batchSize) else {
            throw SettingsError(key: "import.batchSize", message: "must be between 1 and 5000 (the server's limit)")
        }
        var backoff = ConnectionBackoff()
        backoff.initial = try seconds(config, "backoff.initialSeconds", default: 1, minimum: 0.01)
        backoff.maximum = try seconds(config, "backoff.maximumSeconds", default: 30, minimum: 0.01)
        let kinds = try Self.kinds(list(config, "worker.kinds") ?? "import,export,dataset")
        let localFilesRoot = config.string(forKey: "storage.localFilesRoot").flatMap { $0.isEmpty ? nil : $0 }
        let providers = try list(config, "worker.providers").map {
            try Self.providers($0, localFilesRoot: localFilesRoot)
        }
        return WorkerSettings(
            servers: servers,
            serverName: config.string(forKey: "tls.serverName").flatMap { $0.isEmpty ? nil : $0 },
            caPath: ca,
            certificatePath: certificate,
            keyPath: key,
            workerID: config.string(forKey: "worker.id", default: ""),
            maxJobs: maxJobs,
            kinds: kinds,
            acquireWait: try seconds(config, "worker.acquireWaitSeconds", default: 20, minimum: 0.1),
            localFilesRoot: localFilesRoot,
            providers: providers,
            batchSize: batchSize,
            shutdownGracePeriod: try seconds(config, "shutdown.gracePeriodSeconds", default: 10, minimum: 0),
            backoff: backoff,
            keepalive: try KeepaliveSettings.load(from: config, defaults: defaultKeepalive),
            metricsListen: try MetricsSettings.listen(from: config),
            log: try LogSettings.load(from: config)
        )
    }

    /// The providers `worker.providers` names. A worker that would offer none refuses to start:
    /// it could never claim a job.
    private static func providers(_ text: String, localFilesRoot: String?) throws -> Set<StorageProvider> {
        var providers = Set<StorageProvider>()
        for name in names(text) {
            guard let provider = StorageProvider(rawValue: name) else {
                throw SettingsError(
                    key: "worker.providers",
                    message: "unknown provider '\(name)'; use \(StorageProvider.allCases.map(\.description).joined(separator: ", "))")
            }
            if provider == .local, localFilesRoot == nil {
                throw SettingsError(
                    key: "worker.providers", message: "offers local, but storage.localFilesRoot names no directory to read")
            }
            providers.insert(provider)
        }
        guard !providers.isEmpty else {
            throw SettingsError(key: "worker.providers", message: "names no provider: this worker could never claim a job")
        }
        return providers
    }

    /// The storage kinds a worker can run, by name.
    public static let runnableKinds: [String: FerryV1.StorageKind] = ["import": .import, "export": .export, "dataset": .dataset]

    private static func kinds(_ text: String) throws -> [FerryV1.StorageKind] {
        var kinds: [FerryV1.StorageKind] = []
        for name in names(text) {
            guard let kind = runnableKinds[name] else {
                throw SettingsError(
                    key: "worker.kinds",
                    message: "unknown kind '\(name)'; use \(runnableKinds.keys.sorted().joined(separator: ", "))")
            }
            if !kinds.contains(kind) { kinds.append(kind) }
        }
        guard !kinds.isEmpty else { throw SettingsError(key: "worker.kinds", message: "names no kind") }
        return kinds
    }

    /// The servers: a comma-separated string (flag, variable or file), or a JSON list in the file.
    private static func serverList(_ config: ConfigReader) throws -> ServerAddressList {
        let text = list(config, "server") ?? "127.0.0.1:7443"
        do {
            return try ServerAddressList(text)
        } catch {
            throw SettingsError(key: "server", message: "'\(text)' is not a list of host:port addresses: \(error)")
        }
    }

    /// The names of a comma-separated list, trimmed and lowercased, empty ones left out.
    private static func names(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
    }

    /// A comma-separated list as text, however it was given: a flag's `a,b` and a JSON list reach
    /// the reader as a list of strings, a variable's and a JSON string's as one string.
    private static func list(_ config: ConfigReader, _ key: String) -> String? {
        config.string(forKey: ConfigKey(key)) ?? config.stringArray(forKey: ConfigKey(key))?.joined(separator: ",")
    }

    private static func seconds(_ config: ConfigReader, _ key: String, default value: Double, minimum: Double)
        throws -> Duration
    {
        let seconds = config.double(forKey: ConfigKey(key), default: value)
        guard seconds >= minimum, seconds <= 86_400 else {
            throw SettingsError(key: key, message: "must be between \(minimum) and 86400 seconds")
        }
        return .milliseconds(Int64(seconds * 1000))
    }
}
