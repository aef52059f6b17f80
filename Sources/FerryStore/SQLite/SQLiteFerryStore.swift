import FerryCore
public import Logging
import NIOCore
import NIOPosix
import SQLiteNIO

/// The embedded ``FerryStore``: one SQLite database file, through `sqlite-nio`.
///
/// ## Durability
///
/// The database runs in WAL mode with `synchronous=FULL`: a transaction's commit syncs the WAL
/// before the call returns, so whatever the store acknowledged survives a kill -9 of the server
/// (and a power cut). Foreign keys are enforced.
///
/// ## Concurrency
///
/// Every write is one `BEGIN IMMEDIATE … COMMIT` transaction on a single writer connection, and the
/// writer's transactions run one at a time in arrival order. Each read-modify-write of a storage
/// (single-flight StartSync, claims, verdict compare-and-sets, fenced worker writes) therefore sees
/// no interleaving — within this process, and across processes sharing the file, since
/// `BEGIN IMMEDIATE` takes SQLite's write lock up front (waiting up to
/// ``Configuration/busyTimeoutMilliseconds``). Reads go through a second, read-only connection in
/// their own transaction, so a multi-statement read (a list page, its count and its job
/// observations) is one consistent snapshot and never waits for a write.
///
/// Every SQLite call runs on a `NIOThreadPool`, off the event loops.
///
/// ## Schema
///
/// Versioned, forward-only migrations are applied at ``open(path:sealer:configuration:logger:)``;
/// a database whose schema is newer than this build is refused with
/// ``StoreError/Code/unsupportedSchema``.
///
/// Call ``close()`` before dropping the store.
public final class SQLiteFerryStore: FerryStore {
    /// Settings of the SQLite store.
    public struct Configuration: Sendable, Hashable {
        /// How long a transaction waits for SQLite's lock held by another process before failing
        /// with ``StoreError/Code/io``.
        public var busyTimeoutMilliseconds: Int
        /// The most memory the writing connection keeps database pages in. SQLite's default (2 MiB)
        /// holds a few thousand storage rows; a server's database is larger, and a page that does
        /// not fit is read from the file again the next time a write needs it. Pages are cached
        /// as they are used, so a small database never takes the whole amount.
        public var writerCacheMebibytes: Int

        /// Creates a configuration.
        ///
        /// - Parameters:
        ///   - busyTimeoutMilliseconds: The lock wait (default 5 s).
        ///   - writerCacheMebibytes: The writer's page cache limit (default 64 MiB).
        public init(busyTimeoutMilliseconds: Int = 5_000, writerCacheMebibytes: Int = 64) {
            self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
            self.writerCacheMebibytes = writerCacheMebibytes
        }
    }

    let writer: SQLiteSession
    let reader: SQLiteSession
    let sealer: any SecretSealer
    let logger: Logger
    /// The database file.
    public let path: String
    /// The schema version after migrations.
    public let schemaVersion: Int

    private init(
        writer: SQLiteSession,
        reader: SQLiteSession,
        sealer: any SecretSealer,
        logger: Logger,
        path: String,
        schemaVersion: Int
    ) {
        self.writer = writer
        self.reader = reader
        self.sealer = sealer
        self.logger = logger
        self.path = path
        self.schemaVersion = schemaVersion
    }

    /// The newest schema version this build knows.
    public static var latestSchemaVersion: Int {
        SQLiteMigration.latestVersion
    }

    /// Opens (creating if needed) the database at `path`, applies pending migrations, and returns
    /// the store.
    ///
    /// - Parameters:
    ///   - path: The database file; prefer an absolute path. Its directory must exist.
    ///   - sealer: Seals and opens storage secrets (AES-256-GCM in `ferryd`).
    ///   - configuration: Store settings.
    ///   - logger: Where the store logs (migrations, failed rollbacks); it never logs secrets.
    /// - Returns: The open store.
    /// - Throws: ``StoreError/Code/unsupportedSchema`` for a database from a newer build;
    ///   ``StoreError/Code/io`` if the file cannot be opened or is not in WAL mode;
    ///   ``StoreError/Code/corrupt`` if it is not a database.
    public static func open(
        path: String,
        sealer: any SecretSealer,
        configuration: Configuration = Configuration(),
        logger: Logger
    ) async throws -> SQLiteFerryStore {
        let writer = try await Self.connect(path: path, role: "writer", logger: logger)
        do {
            try await Self.configureWriter(writer, configuration: configuration, path: path)
            let version = try await SQLiteMigrator.migrate(writer, path: path, logger: logger).to
            let reader = try await Self.connect(path: path, role: "reader", logger: logger)
            do {
                try await Self.configureReader(reader, configuration: configuration)
            } catch {
                try? await reader.close()
                throw error
            }
            return SQLiteFerryStore(
                writer: writer,
                reader: reader,
                sealer: sealer,
                logger: logger,
                path: path,
                schemaVersion: version
            )
        } catch {
            try? await writer.close()
            throw error
        }
    }

    /// Brings the database at `path` (created if absent) to the newest schema this build knows,
    /// and closes it: what `ferryd migrate` runs, so a deploy pipeline can migrate before it
    /// starts the new servers.
    ///
    /// - Parameters:
    ///   - path: The database file.
    ///   - configuration: Store settings (the lock wait).
    ///   - logger: Where each applied migration is logged.
    /// - Returns: The schema version before and after.
    /// - Throws: As ``open(path:sealer:configuration:logger:)``.
    public static func migrate(
        path: String,
        configuration: Configuration = Configuration(),
        logger: Logger
    ) async throws -> (from: Int, to: Int) {
        let writer = try await Self.connect(path: path, role: "writer", logger: logger)
        do {
            try await Self.configureWriter(writer, configuration: configuration, path: path)
            let versions = try await SQLiteMigrator.migrate(writer, path: path, logger: logger)
            try await writer.close()
            return versions
        } catch {
            try? await writer.close()
            throw error
        }
    }

    /// Waits for in-flight transactions, then closes both connections. Later calls throw
    /// ``StoreError/Code/closed``; closing again does nothing.
    ///
    /// - Throws: ``StoreError/Code/io`` if a connection fails to close.
    public func close() async throws {
        var firstError: (any Error)?
        do { try await self.reader.close() } catch { firstError = error }
        do { try await self.writer.close() } catch { firstError = firstError ?? error }
        if let firstError { throw firstError }
    }

    // MARK: - Opening

    /// Where every statement's future completes: a loop of the store's own. On the server's I/O
    /// loops, a statement's answer waited behind whatever those loops were doing (ten thousand
    /// handshakes after a restart), and every statement woke one of them.
    private static let completionLoop = MultiThreadedEventLoopGroup(numberOfThreads: 1).next()

    private static func connect(path: String, role: String, logger: Logger) async throws -> SQLiteSession {
        do {
            let connection = try await SQLiteConnection.open(
                storage: .file(path: path),
                threadPool: NIOThreadPool.singleton,
                logger: logger,
                on: completionLoop
            )
            return SQLiteSession(connection: connection, role: role)
        } catch {
            throw StoreError.from(error, while: "opening the database at \(path)")
        }
    }

    private static func configureWriter(
        _ writer: SQLiteSession,
        configuration: Configuration,
        path: String
    ) async throws {
        try await writer.withConnection { connection in
            // busy_timeout replaces sqlite-nio's default busy handler, which retries forever.
            try await connection.execute("PRAGMA busy_timeout = \(max(0, configuration.busyTimeoutMilliseconds))")
            let mode = try await connection.row("PRAGMA journal_mode = WAL")?.optionalString("journal_mode")
            guard mode?.lowercased() == "wal" else {
                throw StoreError(
                    code: .io,
                    message: "The database at \(path) cannot use WAL journaling (journal_mode is \(mode ?? "unknown"))."
                )
            }
            try await connection.execute("PRAGMA synchronous = FULL")
            try await connection.execute("PRAGMA foreign_keys = ON")
            // A negative cache_size is in KiB.
            try await connection.execute("PRAGMA cache_size = -\(max(1, configuration.writerCacheMebibytes) * 1024)")
        }
    }

    private static func configureReader(_ reader: SQLiteSession, configuration: Configuration) async throws {
        try await reader.withConnection { connection in
            try await connection.execute("PRAGMA busy_timeout = \(max(0, configuration.busyTimeoutMilliseconds))")
            try await connection.execute("PRAGMA foreign_keys = ON")
            // The reader never writes; make a mistake in this file fail loudly instead.
            try await connection.execute("PRAGMA query_only = ON")
        }
    }
}
