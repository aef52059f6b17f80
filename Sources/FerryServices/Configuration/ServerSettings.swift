public import FerryLogging
public import FerryCore
public import FerryStore
public import FerrySettings
public import FerryTLS
public import FerryTransport

/// Everything `ferryd` is configured with, after defaults and validation.
///
/// Loaded by ``ServerSettings/load(from:)`` from flags, environment variables and a JSON file
/// (highest priority first) through swift-configuration.
public struct ServerSettings: Sendable {
    /// Where to listen.
    public var listen: ListenAddress
    /// The server certificate chain (PEM).
    public var tlsCertificate: String
    /// Its private key (PEM).
    public var tlsKey: String
    /// The CA bundle that signs worker certificates (PEM); required unless client auth is `none`.
    public var tlsCA: String?
    /// Whether client certificates are requested.
    public var clientAuth: TLSConfiguration.ClientCertificateVerification
    /// How long TLS session tickets stay valid; `nil` when none are issued. Their keys are
    /// derived from the secrets key, so replicas and a restarted server accept each other's.
    public var sessionLifetime: Duration?
    /// The database: a SQLite file (default) or a PostgreSQL database shared by replicas.
    public var database: StoreLocation
    /// The file with the 32-byte key (64 hex digits) that seals storage secrets at rest.
    public var secretsKeyPath: String
    /// The bearer tokens file, if internal services use tokens.
    public var tokensPath: String?
    /// The directory local-files storages must stay under; `nil` disables local storages.
    public var localFilesRoot: String?
    /// Heartbeat timing and termination thresholds.
    public var termination: TerminationPolicy
    /// Seconds in-flight calls get to finish on shutdown.
    public var gracePeriod: Duration
    /// When silent clients are pinged and disconnected.
    public var keepalive: KeepaliveSettings
    /// Where `/metrics` is served over plain HTTP; `nil` for nowhere.
    public var metricsListen: ListenAddress?
    /// Log level and format.
    public var log: LogSettings
}
