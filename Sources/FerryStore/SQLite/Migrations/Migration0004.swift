extension SQLiteMigration {
    /// Annotations as the platform puts them (under the platform's ids, versioned by their
    /// `updated_at`, deleted as tombstones until no export link points at them), the export
    /// links that say which version of each annotation an export storage wrote and where, and a
    /// sync option for a one-off full export.
    static let migration0004 = SQLiteMigration(
        version: 4,
        name: "annotations and export links",
        statements: [
            "ALTER TABLE jobs ADD COLUMN full_export INTEGER NOT NULL DEFAULT 0",
            """
            CREATE TABLE annotations (
                id INTEGER PRIMARY KEY,
                project_id INTEGER NOT NULL,
                task_id INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
                result TEXT NOT NULL,
                completed_by TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL,
                deleted_at INTEGER
            )
            """,
            "CREATE INDEX annotations_by_project ON annotations (project_id, task_id)",
            "CREATE INDEX annotations_by_task ON annotations (task_id, id)",
            // No foreign key to annotations: the link of a deleted annotation is what tells the
            // next export to rewrite or delete the object that still holds it.
            """
            CREATE TABLE export_links (
                storage_id INTEGER NOT NULL REFERENCES storages (id) ON DELETE CASCADE,
                annotation_id INTEGER NOT NULL,
                task_id INTEGER NOT NULL,
                key TEXT NOT NULL,
                etag TEXT,
                exported_version INTEGER NOT NULL,
                exported_at INTEGER NOT NULL,
                PRIMARY KEY (storage_id, annotation_id)
            ) WITHOUT ROWID
            """,
            "CREATE INDEX export_links_by_task ON export_links (storage_id, task_id)",
            "CREATE INDEX export_links_by_annotation ON export_links (annotation_id)",
        ]
    )
}
