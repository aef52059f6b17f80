import FerryCore
public import Logging
import PostgresNIO

/// The ``FerryStore`` for several server replicas: one PostgreSQL database, through
/// `postgres-nio`'s connection pool.
///
/// ## Concurrency
///
/// Every method is one transaction on a pooled connection. A write reads the storage row it
/// decides on with `SELECT … FOR UPDATE` (through ``SyncLedger``, the same status machine and
/// fencing as ``SQLiteFerryStore``), so concurrent StartSyncs, verdicts, cancels and fenced
/// worker writes on one storage run one after another in every process that shares the
/// database. A claim picks the oldest claimable job with `FOR UPDATE SKIP LOCKED`, so claimers
/// never wait on, nor receive, one another's job. Rows are always locked in the order worker,
/// storage, job, which keeps these transactions free of deadlocks. Multi-statement reads run in
/// one `REPEATABLE READ` snapshot.
///
/// Every value is a bound parameter of a parameterized statement.
///
/// ## Schema
///
/// Versioned, forward-only migrations (``PostgresMigration``) are applied at
/// ``open(url:password:sealer:configuration:logger:)``, one process at a time (a transaction-level
/// advisory lock); a database whose schema is newer than this build is refused with
/// ``StoreError/Code/unsupportedSchema``. Times are `BIGINT` microseconds since the epoch, as in
/// the SQLite store.
///
/// Call ``close()`` before dropping the store.
public final class PostgresFerryStore: FerryStore {
    /// Settings of the PostgreSQL store.
    public struct Configuration: Sendable, Hashable {
        /// The most connections the pool opens.
        public var maximumConnections: Int
        /// How long connecting to the server may take.
        public var connectTimeout: Duration

        /// Creates a configuration.
        ///
        /// - Parameters:
        ///   - maximumConnections: The pool's size (default 20).
        ///   - connectTimeout: The connect timeout (default 10 s).
        public init(maximumConnections: Int = 20, connectTimeout: Duration = .seconds(10)) {
            self.maximumConnections = maximumConnections
            self.connectTimeout = connectTimeout
        }
    }

    let session: PostgresSession
    let sealer: any SecretSealer
    let logger: Logger
    /// Where the store is connected (no password).
    public let url: PostgresConnectionURL
    /// The schema version after migrations.
    public let schemaVersion: Int

    private init(
        session: PostgresSession,
        sealer: any SecretSealer,
        logger: Logger,
        url: PostgresConnectionURL,
        schemaVersion: Int
    ) {
        self.session = session
        self.sealer = sealer
        self.logger = logger
        self.url = url
        self.schemaVersion = schemaVersion
    }

    /// The newest schema version this build knows.
    public static var latestSchemaVersion: Int {
        PostgresMigration.latestVersion
    }

    /// Connects to the database at `url`, applies pending migrations, and returns the store.
    ///
    /// - Parameters:
    ///   - url: `postgres://user@host:port/database?sslmode=disable|prefer|require`.
    ///   - password: The password, if it is not in the URL.
    ///   - sealer: Seals and opens storage secrets (AES-256-GCM in `ferryd`).
    ///   - configuration: Pool settings.
    ///   - logger: Where the store logs (migrations, failed rollbacks); never a password or a secret.
    /// - Returns: The open store.
    /// - Throws: ``StoreError/Code/invalidArgument`` for a malformed URL;
    ///   ``StoreError/Code/unsupportedSchema`` for a database from a newer build;
    ///   ``StoreError/Code/unavailable`` if the server cannot be reached.
    public static func open(
        url: String,
        password: String? = nil,
        sealer: any SecretSealer,
        configuration: Configuration = Configuration(),
        logger: Logger
    ) async throws -> PostgresFerryStore {
        try await Self.open(
            url: try PostgresConnectionURL(url, password: password), sealer: sealer, configuration: configuration,
            logger: logger)
    }

    /// Connects to the database at a parsed `url`; see ``open(url:password:sealer:configuration:logger:)``.
    public static func open(
        url location: PostgresConnectionURL,
        sealer: any SecretSealer,
        configuration: Configuration = Configuration(),
        logger: Logger
    ) async throws -> PostgresFerryStore {
        let session = Self.connect(location, configuration: configuration, logger: logger)
        do {
            let versions = try await PostgresMigrator.migrate(session, database: location.description, logger: logger)
            return PostgresFerryStore(
                session: session,
                sealer: sealer,
                logger: logger,
                url: location,
                schemaVersion: versions.to
            )
        } catch {
            await session.close()
            throw error
        }
    }

    /// Brings the database at `url` to the newest schema this build knows and disconnects: what
    /// `ferryd migrate` runs, so a deploy pipeline can migrate before it starts the new servers.
    ///
    /// - Parameters:
    ///   - location: The database.
    ///   - configuration: Pool settings (the connect timeout).
    ///   - logger: Where each applied migration is logged.
    /// - Returns: The schema version before and after.
    /// - Throws: As ``open(url:password:sealer:configuration:logger:)``.
    public static func migrate(
        url location: PostgresConnectionURL,
        configuration: Configuration = Configuration(),
        logger: Logger
    ) async throws -> (from: Int, to: Int) {
        let session = Self.connect(location, configuration: configuration, logger: logger)
        do {
            let versions = try await PostgresMigrator.migrate(session, database: location.description, logger: logger)
            await session.close()
            return versions
        } catch {
            await session.close()
            throw error
        }
    }

    private static func connect(
        _ location: PostgresConnectionURL, configuration: Configuration, logger: Logger
    ) -> PostgresSession {
        var clientConfiguration = location.clientConfiguration()
        clientConfiguration.options.maximumConnections = max(1, configuration.maximumConnections)
        clientConfiguration.options.connectTimeout = configuration.connectTimeout
        return PostgresSession(configuration: clientConfiguration, database: location.description, logger: logger)
    }

    /// Waits for in-flight calls, then closes the pool's connections. Later calls throw
    /// ``StoreError/Code/closed``; closing again does nothing.
    public func close() async throws {
        await self.session.close()
    }

    var secretsCoding: SecretsCoding {
        SecretsCoding(sealer: self.sealer)
    }
}
