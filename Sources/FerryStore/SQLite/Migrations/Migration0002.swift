extension SQLiteMigration {
    /// Import keys whose object was split across batches and whose last batch has not been
    /// stored yet. While a key is here, ``SQLiteFerryStore/newImportKeys(lease:keys:)`` reports it
    /// new although some of its rows are linked, so a re-sync reads the object again and links the
    /// rows that are missing. A storage's rows go with it.
    static let migration0002 = SQLiteMigration(
        version: 2,
        name: "partial import keys",
        statements: [
            """
            CREATE TABLE partial_import_keys (
                storage_id INTEGER NOT NULL REFERENCES storages (id) ON DELETE CASCADE,
                key TEXT NOT NULL,
                PRIMARY KEY (storage_id, key)
            ) WITHOUT ROWID
            """
        ]
    )
}
