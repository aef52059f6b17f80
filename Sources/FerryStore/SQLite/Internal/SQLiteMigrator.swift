import FerryCore
import Foundation
import Logging
import SQLiteNIO

/// Applies ``SQLiteMigration``s at open, forward only, and refuses a database from a newer build.
enum SQLiteMigrator {
    /// Brings the schema to the newest version this build knows.
    ///
    /// - Returns: The schema version before and after migrating.
    /// - Throws: ``StoreError/Code/unsupportedSchema`` if the database is newer than this build;
    ///   ``StoreError/Code/corrupt`` if its recorded versions have a gap.
    static func migrate(
        _ writer: SQLiteSession,
        migrations: [SQLiteMigration] = SQLiteMigration.all,
        path: String,
        logger: Logger
    ) async throws -> (from: Int, to: Int) {
        let latest = migrations.last?.version ?? 0
        var before: Int?
        while true {
            let outcome: (applied: SQLiteMigration?, version: Int) = try await writer.write { transaction in
                try await transaction.execute(
                    """
                    CREATE TABLE IF NOT EXISTS schema_migrations (
                        version INTEGER PRIMARY KEY NOT NULL,
                        name TEXT NOT NULL,
                        applied_at INTEGER NOT NULL
                    )
                    """
                )
                let row = try await transaction.row(
                    "SELECT COALESCE(MAX(version), 0) AS version, COUNT(*) AS applied FROM schema_migrations"
                )
                let current = Int(try row?.int64("version") ?? 0)
                if before == nil { before = current }
                let applied = Int(try row?.int64("applied") ?? 0)
                try SchemaVersions.check(
                    current: current, applied: applied, latest: latest, database: "The database at \(path)")
                guard let next = migrations.first(where: { $0.version > current }) else {
                    return (nil, current)
                }
                for statement in next.statements {
                    try await transaction.execute(statement)
                }
                try await transaction.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    [.int(next.version), .text(next.name), .int64(Self.wallClockMicros())]
                )
                return (next, next.version)
            }
            guard let applied = outcome.applied else { return (before ?? outcome.version, outcome.version) }
            logger.info(
                "Applied database migration",
                metadata: ["version": "\(applied.version)", "name": "\(applied.name)", "path": "\(path)"]
            )
        }
    }

    /// The wall clock, for `applied_at` only (an audit field; everything the server decides on
    /// takes `now` from its injected clock).
    private static func wallClockMicros() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1_000_000).rounded())
    }
}
