extension PostgresMigration {
    /// The initial schema, equal to the SQLite store's after its migrations 1–5: storages with
    /// their sync state as real columns, the job queue (with `seq`, the insertion order that breaks
    /// ties between jobs created at the same time), the worker registry, tasks with their unique
    /// import links, partial import keys, annotations with their export links, and the dataset
    /// catalogue. Keys compare byte-wise (`COLLATE "C"`), as in SQLite, whatever the database's
    /// locale.
    static let migration0001 = PostgresMigration(
        version: 1,
        name: "initial schema",
        statements: [
            // BIGSERIAL: a deleted storage's id is never reused.
            """
            CREATE TABLE storages (
                id BIGSERIAL PRIMARY KEY,
                kind TEXT NOT NULL CHECK (kind IN ('import', 'export', 'dataset')),
                provider TEXT NOT NULL,
                project_id BIGINT NOT NULL,
                title TEXT NOT NULL,
                settings TEXT NOT NULL,
                secret_names TEXT NOT NULL DEFAULT '[]',
                secrets_sealed BYTEA,
                revision BIGINT NOT NULL DEFAULT 1,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                status TEXT NOT NULL DEFAULT 'initialized' CHECK (status IN
                    ('initialized', 'queued', 'in_progress', 'completed', 'completed_with_errors', 'failed')),
                last_sync BIGINT,
                last_sync_count BIGINT NOT NULL DEFAULT 0,
                last_sync_job TEXT,
                traceback TEXT,
                attempts BIGINT NOT NULL DEFAULT 0,
                time_queued BIGINT,
                time_in_progress BIGINT,
                time_last_ping BIGINT,
                time_completed BIGINT,
                time_failure BIGINT,
                duration BIGINT,
                time_cancel_requested BIGINT,
                tasks_existed BIGINT NOT NULL DEFAULT 0,
                tasks_failed_validation BIGINT NOT NULL DEFAULT 0,
                total_annotations BIGINT NOT NULL DEFAULT 0,
                objects_scanned BIGINT NOT NULL DEFAULT 0,
                bytes_transferred BIGINT NOT NULL DEFAULT 0,
                worker_id TEXT,
                worker_instance_id TEXT,
                termination_reason TEXT
            )
            """,
            "CREATE INDEX storages_by_project ON storages (project_id, id)",
            "CREATE INDEX storages_active ON storages (status, id) WHERE status IN ('queued', 'in_progress')",
            """
            CREATE TABLE jobs (
                id TEXT PRIMARY KEY,
                seq BIGSERIAL NOT NULL,
                storage_id BIGINT NOT NULL REFERENCES storages (id) ON DELETE CASCADE,
                kind TEXT NOT NULL,
                provider TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN
                    ('queued', 'running', 'succeeded', 'failed', 'lost', 'cancelled')),
                attempt BIGINT NOT NULL DEFAULT 1,
                only_new BOOLEAN NOT NULL DEFAULT FALSE,
                full_export BOOLEAN NOT NULL DEFAULT FALSE,
                lease_token TEXT,
                worker_id TEXT,
                instance_id TEXT,
                checkpoint_last_key TEXT,
                checkpoint_state BYTEA,
                checkpoint_updated_at BIGINT,
                created_at BIGINT NOT NULL,
                claimed_at BIGINT,
                last_progress_at BIGINT,
                finished_at BIGINT,
                cancel_requested_at BIGINT,
                cancel_reason TEXT
            )
            """,
            "CREATE INDEX jobs_queue ON jobs (created_at, seq) WHERE state = 'queued'",
            "CREATE INDEX jobs_by_storage ON jobs (storage_id)",
            "CREATE INDEX jobs_running_by_worker ON jobs (worker_id) WHERE state = 'running'",
            """
            CREATE TABLE workers (
                worker_id TEXT PRIMARY KEY,
                current_instance_id TEXT NOT NULL,
                registered_at BIGINT NOT NULL,
                last_seen_at BIGINT NOT NULL
            )
            """,
            // A task's import link is (storage_id, key, row_index), unique; NULLs (tasks made
            // otherwise, or whose storage was deleted) never conflict.
            """
            CREATE TABLE tasks (
                id BIGSERIAL PRIMARY KEY,
                project_id BIGINT NOT NULL,
                data TEXT NOT NULL,
                storage_id BIGINT REFERENCES storages (id) ON DELETE SET NULL,
                key TEXT COLLATE "C",
                row_index BIGINT,
                created_at BIGINT NOT NULL,
                meta TEXT,
                predictions TEXT,
                imported_annotations TEXT,
                CONSTRAINT task_links UNIQUE (storage_id, key, row_index)
            )
            """,
            "CREATE INDEX tasks_by_project ON tasks (project_id, id)",
            """
            CREATE TABLE partial_import_keys (
                storage_id BIGINT NOT NULL REFERENCES storages (id) ON DELETE CASCADE,
                key TEXT COLLATE "C" NOT NULL,
                PRIMARY KEY (storage_id, key)
            )
            """,
            """
            CREATE TABLE annotations (
                id BIGINT PRIMARY KEY,
                project_id BIGINT NOT NULL,
                task_id BIGINT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
                result TEXT NOT NULL,
                completed_by TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                deleted_at BIGINT
            )
            """,
            "CREATE INDEX annotations_by_project ON annotations (project_id, task_id)",
            "CREATE INDEX annotations_by_task ON annotations (task_id, id)",
            // No foreign key to annotations: the link of a deleted annotation is what tells the
            // next export to rewrite or delete the object that still holds it.
            """
            CREATE TABLE export_links (
                storage_id BIGINT NOT NULL REFERENCES storages (id) ON DELETE CASCADE,
                annotation_id BIGINT NOT NULL,
                task_id BIGINT NOT NULL,
                key TEXT COLLATE "C" NOT NULL,
                etag TEXT,
                exported_version BIGINT NOT NULL,
                exported_at BIGINT NOT NULL,
                PRIMARY KEY (storage_id, annotation_id)
            )
            """,
            "CREATE INDEX export_links_by_task ON export_links (storage_id, task_id)",
            "CREATE INDEX export_links_by_annotation ON export_links (annotation_id)",
            """
            CREATE TABLE dataset_objects (
                storage_id BIGINT NOT NULL REFERENCES storages (id) ON DELETE CASCADE,
                key TEXT COLLATE "C" NOT NULL,
                size BIGINT NOT NULL,
                etag TEXT NOT NULL,
                last_modified BIGINT,
                content_type TEXT,
                first_seen_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                last_seen_job TEXT NOT NULL,
                deleted_at BIGINT,
                PRIMARY KEY (storage_id, key)
            )
            """,
        ]
    )
}
