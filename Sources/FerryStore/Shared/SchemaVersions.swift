/// The checks both stores' migrators make before applying anything: refuse a schema from a newer
/// build, and a record of versions with gaps.
enum SchemaVersions {
    /// - Parameters:
    ///   - current: The newest version recorded.
    ///   - applied: How many versions are recorded.
    ///   - latest: The newest version this build knows.
    ///   - database: The database, for messages (`The database at /path`); never a password.
    /// - Throws: ``StoreError/Code/unsupportedSchema`` if the database is newer than this build;
    ///   ``StoreError/Code/corrupt`` if its recorded versions have a gap.
    static func check(current: Int, applied: Int, latest: Int, database: String) throws {
        if current > latest {
            throw StoreError(
                code: .unsupportedSchema,
                message: """
                    \(database) has schema version \(current), but this build of Ferry knows versions \
                    up to \(latest). It was written by a newer ferryd: run that version, or restore a \
                    backup made by this one.
                    """
            )
        }
        if applied != current {
            throw StoreError.corrupt("\(database) records \(applied) migrations up to version \(current); versions are missing.")
        }
    }
}
