public import Configuration
public import FerrySettings
import FerryCore
public import FerryStore
import FerryTLS
import FerryTransport
import FerryLogging
import FerryMetrics
import Foundation

extension ServerSettings {
    /// The keepalive timing a server uses unless configured otherwise (PROTOCOL.md §7.4).
    public static let defaultKeepalive = KeepaliveSettings(interval: .seconds(30), timeout: .seconds(10))

    /// The keys `ferryd` reads, with their defaults, for `--help` and the README.
    public static let documentedKeys: [DocumentedSetting] = [
        .init("config", "", "JSON configuration file (its keys are the ones below, nested by dots)"),
        .init("listen", "127.0.0.1:7443", "address to listen on, host:port"),
        .init("tls.cert", "", "PEM server certificate chain (required)"),
        .init("tls.key", "", "PEM server private key (required)"),
        .init("tls.ca", "", "PEM CA bundle that signs worker certificates"),
        .init("tls.clientAuth", "optional", "client certificates: none, optional or required"),
        .init("tls.sessionTickets", "true", "issue TLS session tickets, so reconnecting clients resume without certificates"),
        .init("tls.sessionLifetimeSeconds", "604800", "how long a session ticket, and the certificate check behind it, stays valid"),
        .init("database.path", "ferry.db", "SQLite database file (when database.url is not set)"),
        .init("database.url", "", "postgres://user@host:port/db?sslmode=disable|prefer|require: PostgreSQL, for replicas"),
        .init("database.passwordFile", "", "file holding the PostgreSQL password (or FERRY_DATABASE_PASSWORD)"),
        .init("database.password", "", "the PostgreSQL password: only as FERRY_DATABASE_PASSWORD (a flag is refused)"),
        .init("database.maxConnections", "20", "PostgreSQL connections each ferryd keeps at most"),
        .init("secrets.keyFile", "<database.path>.key", "32-byte key (64 hex digits) sealing secrets; made if absent; "
              + "with database.url required, existing, and the same on every replica"),
        .init("auth.tokensFile", "", "bearer tokens file (lines: sha256:<hex> <role> <name>)"),
        .init("storage.localFilesRoot", "", "directory local-files storages must stay under"),
        .init("sync.pingIntervalSeconds", "10", "how often workers send heartbeats"),
        .init("sync.staleAfterSeconds", "5 × ping interval", "silence after which a running sync has failed"),
        .init("sync.queuedTimeoutSeconds", "3600", "how long a sync may wait for a worker"),
        .init("shutdown.gracePeriodSeconds", "10", "time in-flight calls get on SIGTERM"),
    ] + KeepaliveSettings.documentedKeys(defaults: defaultKeepalive, peer: "a client") + [
        MetricsSettings.documentedKey,
    ] + LogSettings.documentedKeys

    /// Reads and validates settings.
    ///
    /// - Parameter config: A reader over flags, environment and file.
    /// - Returns: The settings.
    /// - Throws: ``SettingsError`` naming the first missing or invalid key.
    public static func load(from config: ConfigReader) throws -> ServerSettings {
        let listenText = config.string(forKey: "listen", default: "127.0.0.1:7443")
        let listen: ListenAddress
        do {
            listen = try ListenAddress(listenText)
        } catch {
            throw SettingsError(key: "listen", message: "'\(listenText)' is not host:port")
        }
        guard let certificate = config.string(forKey: "tls.cert"), !certificate.isEmpty else {
            throw SettingsError(key: "tls.cert", message: "the server certificate is required (there is no plaintext mode)")
        }
        guard let key = config.string(forKey: "tls.key"), !key.isEmpty else {
            throw SettingsError(key: "tls.key", message: "the server private key is required")
        }
        let clientAuth = try clientCertificateMode(config.string(forKey: "tls.clientAuth", default: "optional"))
        let ca = config.string(forKey: "tls.ca").flatMap { $0.isEmpty ? nil : $0 }
        if clientAuth != .none && ca == nil {
            throw SettingsError(key: "tls.ca", message: "a CA bundle is required to verify worker certificates")
        }
        try requireReadable(certificate, key: "tls.cert")
        try requireReadable(key, key: "tls.key")
        if let ca { try requireReadable(ca, key: "tls.ca") }
        let lifetime = config.double(forKey: "tls.sessionLifetimeSeconds", default: 604_800)
        guard lifetime >= 1, lifetime <= 7 * 86_400 else {
            throw SettingsError(key: "tls.sessionLifetimeSeconds", message: "must be between 1 and 604800 (7 days)")
        }
        let tokensPath = config.string(forKey: "auth.tokensFile").flatMap { $0.isEmpty ? nil : $0 }
        if let tokensPath { try requireReadable(tokensPath, key: "auth.tokensFile") }
        let localFilesRoot = config.string(forKey: "storage.localFilesRoot").flatMap { $0.isEmpty ? nil : $0 }
        if let localFilesRoot, !localFilesRoot.hasPrefix("/") {
            throw SettingsError(key: "storage.localFilesRoot", message: "'\(localFilesRoot)' must be an absolute path")
        }
        let database = try Self.database(from: config)
        let secretsKeyPath: String
        switch database {
        case .sqlite(let path):
            secretsKeyPath = config.string(forKey: "secrets.keyFile", default: path + ".key")
        case .postgres:
            // Replicas must seal with one key: a key made beside each server would differ.
            guard let path = config.string(forKey: "secrets.keyFile"), !path.isEmpty else {
                throw SettingsError(
                    key: "secrets.keyFile", message: "required with database.url: every replica must use the same key")
            }
            secretsKeyPath = path
        }
        let termination = try terminationPolicy(config)
        let grace = config.double(forKey: "shutdown.gracePeriodSeconds", default: 10)
        guard grace >= 0 else {
            throw SettingsError(key: "shutdown.gracePeriodSeconds", message: "must not be negative")
        }
        return ServerSettings(
            listen: listen,
            tlsCertificate: certificate,
            tlsKey: key,
            tlsCA: ca,
            clientAuth: clientAuth,
            sessionLifetime: config.bool(forKey: "tls.sessionTickets", default: true) ? .seconds(Int64(lifetime)) : nil,
            database: database,
            secretsKeyPath: secretsKeyPath,
            tokensPath: tokensPath,
            localFilesRoot: localFilesRoot,
            termination: termination,
            gracePeriod: .milliseconds(Int64(grace * 1000)),
            keepalive: try KeepaliveSettings.load(from: config, defaults: defaultKeepalive),
            metricsListen: try MetricsSettings.listen(from: config),
            log: try LogSettings.load(from: config)
        )
    }

    private static func requireReadable(_ path: String, key: String) throws {
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw SettingsError(key: key, message: "cannot read '\(path)'")
        }
    }

    private static func clientCertificateMode(_ text: String) throws -> TLSConfiguration.ClientCertificateVerification {
        switch text {
        case "none": return .none
        case "optional": return .optional
        case "required": return .required
        default:
            throw SettingsError(key: "tls.clientAuth", message: "'\(text)' is not none, optional or required")
        }
    }

    private static func terminationPolicy(_ config: ConfigReader) throws -> TerminationPolicy {
        let ping = config.double(forKey: "sync.pingIntervalSeconds", default: 10)
        let stale = config.double(forKey: "sync.staleAfterSeconds", default: 5 * ping)
        let queued = config.double(forKey: "sync.queuedTimeoutSeconds", default: 3600)
        let policy = TerminationPolicy(
            pingInterval: .microseconds(Int64(ping * 1_000_000)),
            staleAfter: .microseconds(Int64(stale * 1_000_000)),
            queuedTimeout: .microseconds(Int64(queued * 1_000_000))
        )
        let keys = [
            "ping_interval": "sync.pingIntervalSeconds",
            "stale_after": "sync.staleAfterSeconds",
            "queued_timeout": "sync.queuedTimeoutSeconds",
        ]
        if let problem = policy.validate().first {
            throw SettingsError(key: keys[problem.field] ?? problem.field, message: problem.message)
        }
        return policy
    }

    /// The database (`database.*`); all `ferryd migrate` needs.
    ///
    /// - Parameter config: A reader over flags, environment and file.
    /// - Returns: PostgreSQL when `database.url` is set, otherwise the SQLite file `database.path`.
    /// - Throws: ``SettingsError`` for a malformed URL, an unreadable password file or a bad pool size.
    public static func database(from config: ConfigReader) throws -> StoreLocation {
        guard let url = config.string(forKey: "database.url", isSecret: true), !url.isEmpty else {
            return .sqlite(path: config.string(forKey: "database.path", default: "ferry.db"))
        }
        var password = config.string(forKey: "database.password", isSecret: true).flatMap { $0.isEmpty ? nil : $0 }
        if let file = config.string(forKey: "database.passwordFile"), !file.isEmpty {
            guard let contents = FileManager.default.contents(atPath: file),
                var text = String(data: contents, encoding: .utf8)
            else {
                throw SettingsError(key: "database.passwordFile", message: "cannot read '\(file)'")
            }
            while text.last?.isNewline == true { text.removeLast() }
            password = text
        }
        let location: PostgresConnectionURL
        do {
            location = try PostgresConnectionURL(url, password: password)
        } catch let error as StoreError {
            // The message never repeats the URL, which may hold a password.
            throw SettingsError(key: "database.url", message: error.message)
        }
        let connections = config.int(forKey: "database.maxConnections", default: 20)
        guard (1...1000).contains(connections) else {
            throw SettingsError(key: "database.maxConnections", message: "must be from 1 to 1000")
        }
        return .postgres(url: location, configuration: .init(maximumConnections: connections))
    }
}
