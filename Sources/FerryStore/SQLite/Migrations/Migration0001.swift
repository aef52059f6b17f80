extension SQLiteMigration {
    /// The initial schema: storages with their sync state as real columns (so the single-flight
    /// and verdict compare-and-sets and the list filters are plain SQL), the job queue, the worker
    /// registry, and tasks with their unique import links.
    static let migration0001 = SQLiteMigration(
        version: 1,
        name: "initial schema",
        statements: [
            // AUTOINCREMENT: a deleted storage's id is never reused, so an old page cursor, task
            // link or log line never points at a different storage.
            """
            CREATE TABLE storages (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                kind TEXT NOT NULL CHECK (kind IN ('import', 'export', 'dataset')),
                provider TEXT NOT NULL,
                project_id INTEGER NOT NULL,
                title TEXT NOT NULL,
                settings TEXT NOT NULL,
                secret_names TEXT NOT NULL DEFAULT '[]',
                secrets_sealed BLOB,
                revision INTEGER NOT NULL DEFAULT 1,
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL,
                status TEXT NOT NULL DEFAULT 'initialized' CHECK (status IN
                    ('initialized', 'queued', 'in_progress', 'completed', 'completed_with_errors', 'failed')),
                last_sync INTEGER,
                last_sync_count INTEGER NOT NULL DEFAULT 0,
                last_sync_job TEXT,
                traceback TEXT,
                attempts INTEGER NOT NULL DEFAULT 0,
                time_queued INTEGER,
                time_in_progress INTEGER,
                time_last_ping INTEGER,
                time_completed INTEGER,
                time_failure INTEGER,
                duration INTEGER,
                time_cancel_requested INTEGER,
                tasks_existed INTEGER NOT NULL DEFAULT 0,
                tasks_failed_validation INTEGER NOT NULL DEFAULT 0,
                total_annotations INTEGER NOT NULL DEFAULT 0,
                objects_scanned INTEGER NOT NULL DEFAULT 0,
                bytes_transferred INTEGER NOT NULL DEFAULT 0,
                worker_id TEXT,
                worker_instance_id TEXT,
                termination_reason TEXT
            )
            """,
            "CREATE INDEX storages_by_project ON storages (project_id, id)",
            "CREATE INDEX storages_active ON storages (status, id) WHERE status IN ('queued', 'in_progress')",
            // Jobs go with their storage (DeleteStorage); an operator's DeleteJob removes one row.
            """
            CREATE TABLE jobs (
                id TEXT PRIMARY KEY NOT NULL,
                storage_id INTEGER NOT NULL REFERENCES storages (id) ON DELETE CASCADE,
                kind TEXT NOT NULL,
                provider TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN
                    ('queued', 'running', 'succeeded', 'failed', 'lost', 'cancelled')),
                attempt INTEGER NOT NULL DEFAULT 1,
                only_new INTEGER NOT NULL DEFAULT 0,
                lease_token TEXT,
                worker_id TEXT,
                instance_id TEXT,
                checkpoint_last_key TEXT,
                checkpoint_state BLOB,
                checkpoint_updated_at INTEGER,
                created_at INTEGER NOT NULL,
                claimed_at INTEGER,
                last_progress_at INTEGER,
                finished_at INTEGER,
                cancel_requested_at INTEGER,
                cancel_reason TEXT
            )
            """,
            "CREATE INDEX jobs_queue ON jobs (created_at) WHERE state = 'queued'",
            "CREATE INDEX jobs_by_storage ON jobs (storage_id)",
            "CREATE INDEX jobs_running_by_worker ON jobs (worker_id) WHERE state = 'running'",
            """
            CREATE TABLE workers (
                worker_id TEXT PRIMARY KEY NOT NULL,
                current_instance_id TEXT NOT NULL,
                registered_at INTEGER NOT NULL,
                last_seen_at INTEGER NOT NULL
            )
            """,
            // A task's import link is (storage_id, key, row_index), unique; NULLs (tasks made
            // otherwise, or whose storage was deleted) never conflict.
            """
            CREATE TABLE tasks (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                project_id INTEGER NOT NULL,
                data TEXT NOT NULL,
                storage_id INTEGER REFERENCES storages (id) ON DELETE SET NULL,
                key TEXT,
                row_index INTEGER,
                created_at INTEGER NOT NULL
            )
            """,
            "CREATE UNIQUE INDEX task_links ON tasks (storage_id, key, row_index)",
            "CREATE INDEX tasks_by_project ON tasks (project_id, id)",
        ]
    )
}
