extension SQLiteMigration {
    /// The dataset catalogue: one row per object a dataset storage's syncs have seen, with its
    /// metadata, the job that saw it last (so the end of a complete listing can tombstone the
    /// objects it did not see) and `deleted_at` once it was gone. Rows go with their storage.
    static let migration0005 = SQLiteMigration(
        version: 5,
        name: "dataset objects",
        statements: [
            """
            CREATE TABLE dataset_objects (
                storage_id INTEGER NOT NULL REFERENCES storages (id) ON DELETE CASCADE,
                key TEXT NOT NULL,
                size INTEGER NOT NULL,
                etag TEXT NOT NULL,
                last_modified INTEGER,
                content_type TEXT,
                first_seen_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL,
                last_seen_job TEXT NOT NULL,
                deleted_at INTEGER,
                PRIMARY KEY (storage_id, key)
            ) WITHOUT ROWID
            """
        ]
    )
}
