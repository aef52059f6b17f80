/// One forward-only step of the PostgreSQL schema: a version number and the statements that take
/// the schema from the previous version to it.
///
/// Migrations are applied in order at open, each in its own transaction that also records it in
/// `schema_migrations` (PostgreSQL's DDL is transactional, so a crash mid-migration leaves the
/// previous version intact). A migration, once released, is never edited: changes go into a new
/// one. Its numbering is this store's own; it does not follow ``SQLiteMigration``'s.
struct PostgresMigration: Sendable {
    /// The schema version this migration produces; 1, 2, 3, … without gaps.
    let version: Int
    /// A short name, recorded with the version.
    let name: String
    /// The statements, run in order, one statement each.
    let statements: [String]
}

extension PostgresMigration {
    /// Every migration this build knows, in version order.
    static let all: [PostgresMigration] = [
        .migration0001,
        .migration0002,
    ]

    /// The newest schema version this build knows.
    static var latestVersion: Int {
        Self.all.last?.version ?? 0
    }
}
