public import Logging

/// Which database holds Ferry's state: a SQLite file for one server (the default), or a
/// PostgreSQL database that several server replicas share.
public enum StoreLocation: Sendable, CustomStringConvertible {
    /// A SQLite database file.
    case sqlite(path: String)
    /// A PostgreSQL database, with the password kept apart from the URL and the pool's size.
    case postgres(url: PostgresConnectionURL, configuration: PostgresFerryStore.Configuration)

    /// The file path or the URL, never a password.
    public var description: String {
        switch self {
        case .sqlite(let path): path
        case .postgres(let url, _): url.description
        }
    }

    /// Opens the store, applying pending migrations.
    ///
    /// - Parameters:
    ///   - sealer: Seals and opens storage secrets.
    ///   - logger: Where the store logs.
    /// - Returns: The open store; close it before dropping it.
    /// - Throws: As ``SQLiteFerryStore/open(path:sealer:configuration:logger:)`` or
    ///   ``PostgresFerryStore/open(url:password:sealer:configuration:logger:)``.
    public func open(sealer: any SecretSealer, logger: Logger) async throws -> any FerryStore {
        switch self {
        case .sqlite(let path):
            try await SQLiteFerryStore.open(path: path, sealer: sealer, logger: logger)
        case .postgres(let url, let configuration):
            try await PostgresFerryStore.open(
                url: url, sealer: sealer, configuration: configuration, logger: logger)
        }
    }

    /// Applies pending migrations and disconnects (`ferryd migrate`).
    ///
    /// - Parameter logger: Where each applied migration is logged.
    /// - Returns: The schema version before and after.
    public func migrate(logger: Logger) async throws -> (from: Int, to: Int) {
        switch self {
        case .sqlite(let path):
            try await SQLiteFerryStore.migrate(path: path, logger: logger)
        case .postgres(let url, let configuration):
            try await PostgresFerryStore.migrate(url: url, configuration: configuration, logger: logger)
        }
    }
}
