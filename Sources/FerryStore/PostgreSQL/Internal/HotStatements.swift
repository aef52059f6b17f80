import FerryCore
import PostgresNIO

/// A statement on a hot path (heartbeat progress, claims, import key checks). Every pooled
/// connection prepares it once under its name, so PostgreSQL parses and plans it once per
/// connection and afterwards only binds and runs it. (The other statements are sent unnamed:
/// parsed each time, which suits statements assembled from a caller's filters.)
///
/// A connection pooler in transaction mode (PgBouncer before 1.21) cannot carry named
/// statements between server connections; point `database.url` at PostgreSQL itself or at a
/// pooler that tracks them.
///
/// Each names itself (`static let name`, `ferry_` and its type's name), so nothing is computed
/// per call.
protocol HotStatement: PostgresPreparedStatement where Row == PostgresStoredRow {}

extension HotStatement {
    func decodeRow(_ row: PostgresRow) -> PostgresStoredRow {
        PostgresStoredRow(row)
    }
}

extension PostgresBindings {
    /// The values of `$1`, `$2`, … in order.
    init(_ values: [ColumnValue]) {
        self.init(capacity: values.count)
        for value in values {
            switch value {
            case .null: self.appendNull()
            case .integer(let value): self.append(value)
            case .string(let value): self.append(value)
            }
        }
    }
}

/// A hot statement whose one parameter is a job's id.
protocol JobStatement: HotStatement {
    var jobID: String { get }
}

extension JobStatement {
    func makeBindings() -> PostgresBindings {
        PostgresBindings([.string(jobID)])
    }
}

/// Locks the storage of a job: a fenced write locks the storage before its job.
struct LockStorageOfJob: JobStatement {
    static let name = "ferry_LockStorageOfJob"
    static let sql = "SELECT 1 FROM storages WHERE id = (SELECT storage_id FROM jobs WHERE id = $1) FOR UPDATE"
    let jobID: String
}

/// A job's fencing columns, locked.
struct LockJobLease: JobStatement {
    static let name = "ferry_LockJobLease"
    static let sql = "SELECT \(JobLeaseRow.select) FROM jobs WHERE id = $1 FOR UPDATE"
    let jobID: String
}

/// A job's fencing columns, unlocked (lease checks in read-only transactions).
struct ReadJobLease: JobStatement {
    static let name = "ferry_ReadJobLease"
    static let sql = "SELECT \(JobLeaseRow.select) FROM jobs WHERE id = $1"
    let jobID: String
}

/// A storage's kind, provider and sync columns, locked.
struct LockSyncState: HotStatement {
    static let name = "ferry_LockSyncState"
    static let sql =
        "SELECT s.kind AS kind, s.provider AS provider, \(SyncInfoColumns.select) FROM storages s WHERE s.id = $1 FOR UPDATE"
    let storageID: Int64
    func makeBindings() -> PostgresBindings { PostgresBindings([.integer(storageID)]) }
}

/// Writes every sync column of a storage.
struct WriteSyncInfo: HotStatement {
    static let name = "ferry_WriteSyncInfo"
    static let sql =
        "UPDATE storages SET "
        + SyncInfoColumns.names.enumerated().map { "\($1) = $\($0 + 1)" }.joined(separator: ", ")
        + " WHERE id = $\(SyncInfoColumns.names.count + 1)"
    let info: SyncInfo
    let storageID: Int64
    func makeBindings() -> PostgresBindings { PostgresBindings(SyncInfoColumns.binds(info) + [.integer(storageID)]) }
}

/// When the job last reported progress.
struct RecordJobProgress: HotStatement {
    static let name = "ferry_RecordJobProgress"
    static let sql = "UPDATE jobs SET last_progress_at = $2 WHERE id = $1"
    let jobID: String
    let now: FerryTime
    func makeBindings() -> PostgresBindings { PostgresBindings([.string(jobID), .time(now)]) }
}

/// A worker's registration, locked, so a new instance registering meanwhile waits for a claim.
struct LockWorker: HotStatement {
    static let name = "ferry_LockWorker"
    static let sql = "SELECT current_instance_id FROM workers WHERE worker_id = $1 FOR UPDATE"
    let workerID: String
    func makeBindings() -> PostgresBindings { PostgresBindings([.string(workerID)]) }
}

/// Marks a claimed job running under its new lease.
struct StartJob: HotStatement {
    static let name = "ferry_StartJob"
    static let sql = """
        UPDATE jobs SET state = 'running', lease_token = $2, worker_id = $3, instance_id = $4,
            claimed_at = $5, last_progress_at = $5
        WHERE id = $1
        """
    let lease: JobLease
    let now: FerryTime
    func makeBindings() -> PostgresBindings {
        PostgresBindings([
            .string(lease.jobID), .string(lease.token), .string(lease.workerID), .string(lease.instanceID), .time(now),
        ])
    }
}

/// Records the worker that claims, or when it was last seen claiming.
struct RecordClaimingWorker: HotStatement {
    static let name = "ferry_RecordClaimingWorker"
    static let sql = """
        INSERT INTO workers (worker_id, current_instance_id, registered_at, last_seen_at) VALUES ($1, $2, $3, $3)
        ON CONFLICT (worker_id) DO UPDATE SET last_seen_at = excluded.last_seen_at
        """
    let workerID: String
    let instanceID: String
    let now: FerryTime
    func makeBindings() -> PostgresBindings { PostgresBindings([.string(workerID), .string(instanceID), .time(now)]) }
}

/// Which of a listing's keys have no task link in the storage yet, or only part of their rows.
struct NewImportKeys: HotStatement {
    static let name = "ferry_NewImportKeys"
    static let sql = """
        SELECT k.key, k.n FROM unnest($1::TEXT[]) WITH ORDINALITY AS k (key, n)
        WHERE NOT EXISTS (SELECT 1 FROM tasks t WHERE t.storage_id = $2 AND t.key = k.key)
        OR EXISTS (SELECT 1 FROM partial_import_keys p WHERE p.storage_id = $2 AND p.key = k.key)
        ORDER BY k.n
        """
    let keys: [String]
    let storageID: Int64
    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 2)
        try bindings.append(keys)
        bindings.append(storageID)
        return bindings
    }
}
