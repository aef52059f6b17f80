import FerryCore
import Logging
import PostgresNIO

/// Applies ``PostgresMigration``s at open, forward only, and refuses a database from a newer build.
///
/// Each step is one transaction that first takes a transaction-level advisory lock, so replicas
/// starting together migrate one at a time: the second waits, then finds the step applied.
enum PostgresMigrator {
    /// The advisory lock key of schema migrations (any constant the application uses for nothing else).
    static let lockKey: Int64 = 0x4665_7272_794D_6967  // "FerryMig"

    /// Brings the schema to the newest version this build knows.
    ///
    /// - Returns: The schema version before and after migrating.
    /// - Throws: ``StoreError/Code/unsupportedSchema`` if the database is newer than this build;
    ///   ``StoreError/Code/corrupt`` if its recorded versions have a gap.
    static func migrate(
        _ session: PostgresSession,
        migrations: [PostgresMigration] = PostgresMigration.all,
        database: String,
        logger: Logger
    ) async throws -> (from: Int, to: Int) {
        let latest = migrations.last?.version ?? 0
        var first: Int?
        while true {
            let outcome: (applied: PostgresMigration?, version: Int) = try await session.write { transaction in
                try await transaction.execute("SELECT pg_advisory_xact_lock(\(Self.lockKey))")
                try await transaction.execute(
                    """
                    CREATE TABLE IF NOT EXISTS schema_migrations (
                        version INTEGER PRIMARY KEY,
                        name TEXT NOT NULL,
                        applied_at BIGINT NOT NULL
                    )
                    """
                )
                let row = try await transaction.row(
                    "SELECT COALESCE(MAX(version), 0)::BIGINT AS version, COUNT(*) AS applied FROM schema_migrations"
                )
                let current = Int(try row?.int64("version") ?? 0)
                let applied = Int(try row?.int64("applied") ?? 0)
                try SchemaVersions.check(
                    current: current, applied: applied, latest: latest, database: "The database \(database)")
                first = first ?? current
                guard let next = migrations.first(where: { $0.version > current }) else {
                    return (nil, current)
                }
                for statement in next.statements {
                    try await transaction.execute(PostgresQuery(unsafeSQL: statement))
                }
                // applied_at is an audit field: the database's clock is fine for it.
                try await transaction.execute(
                    """
                    INSERT INTO schema_migrations (version, name, applied_at)
                    VALUES (\(Int64(next.version))::INTEGER, \(next.name),
                        (extract(epoch FROM clock_timestamp()) * 1000000)::BIGINT)
                    """
                )
                return (next, next.version)
            }
            guard let applied = outcome.applied else { return (first ?? outcome.version, outcome.version) }
            logger.info(
                "Applied database migration",
                metadata: ["version": "\(applied.version)", "name": "\(applied.name)", "database": "\(database)"]
            )
        }
    }
}
