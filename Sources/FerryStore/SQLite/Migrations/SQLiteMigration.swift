/// One forward-only step of the SQLite schema: a version number and the statements that take the
/// schema from the previous version to it.
///
/// Migrations are applied in order at open, each in its own `BEGIN IMMEDIATE` transaction that
/// also records it in `schema_migrations`, so a crash mid-migration leaves the previous version
/// intact. A migration, once released, is never edited: changes go into a new one. Each
/// statement is one SQL statement (the driver prepares one at a time).
struct SQLiteMigration: Sendable {
    /// The schema version this migration produces; 1, 2, 3, … without gaps.
    let version: Int
    /// A short name, recorded with the version.
    let name: String
    /// The statements, run in order.
    let statements: [String]
}

extension SQLiteMigration {
    /// Every migration this build knows, in version order.
    static let all: [SQLiteMigration] = [
        .migration0001,
        .migration0002,
        .migration0003,
        .migration0004,
        .migration0005,
        .migration0006,
    ]

    /// The newest schema version this build knows.
    static var latestVersion: Int {
        Self.all.last?.version ?? 0
    }
}
