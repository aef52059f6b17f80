import FerryCore
import SQLiteNIO

/// ``LedgerTransaction`` over one SQLite write transaction (`BEGIN IMMEDIATE`, which holds the
/// database's write lock from its first statement, so every row it reads stays as read).
struct SQLiteLedgerRows: LedgerTransaction {
    let transaction: SQLiteTransaction
    let secretsCoding: SecretsCoding

    /// Nothing: a SQLite database serves one server process, whose caches saw the change made.
    func announce(_ change: StoreChange) async throws {}

    func syncState(storageID: Int64) async throws -> StorageSyncState {
        guard
            let row = try await transaction.row(
                "SELECT s.kind AS kind, s.provider AS provider, \(SyncInfoColumns.select) FROM storages s WHERE s.id = ?",
                [.int64(storageID)]
            )
        else {
            throw StoreError.notFound("Storage \(storageID) does not exist.")
        }
        return StorageSyncState(
            kind: try row.rawEnum("kind", as: StorageKind.self),
            provider: try row.rawEnum("provider", as: StorageProvider.self),
            info: try SyncInfoColumns.syncInfo(from: row)
        )
    }

    func writeSyncInfo(_ info: SyncInfo, storageID: Int64) async throws {
        try await transaction.execute(
            "UPDATE storages SET \(Self.syncInfoAssignments) WHERE id = ?",
            SyncInfoColumns.binds(info).map { SQLiteData($0) } + [.int64(storageID)]
        )
    }

    /// `status = ?, last_sync = ?, …`, bound with ``SyncInfoColumns/binds(_:)``.
    private static let syncInfoAssignments = SyncInfoColumns.names.map { "\($0) = ?" }.joined(separator: ", ")

    func insertQueuedJob(_ job: JobRecord) async throws {
        try await transaction.execute(
            """
            INSERT INTO jobs (id, storage_id, kind, provider, state, attempt, only_new, full_export, created_at)
            VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, ?)
            """,
            [
                .text(job.id), .int64(job.storageID), .text(job.kind.rawValue), .text(job.provider.rawValue),
                .int(job.attempt), .bool(job.options.onlyNew), .bool(job.options.fullExport), .time(job.createdAt),
            ]
        )
    }

    func leaseRow(jobID: String) async throws -> JobLeaseRow? {
        try await transaction.leaseRow(jobID: jobID)
    }

    func requestJobCancel(jobID: String, reason: String?, now: FerryTime) async throws {
        try await transaction.execute(
            """
            UPDATE jobs SET cancel_requested_at = COALESCE(cancel_requested_at, ?),
                cancel_reason = COALESCE(cancel_reason, ?)
            WHERE id = ? AND state IN ('queued', 'running')
            """,
            [.time(now), .text(reason), .text(jobID)]
        )
    }

    func checkNotSuperseded(workerID: String, instanceID: String) async throws {
        try await SQLiteFerryStore.checkNotSuperseded(workerID: workerID, instanceID: instanceID, in: transaction)
    }

    func nextClaimableJob(
        kinds: Set<StorageKind>,
        providers: Set<StorageProvider>
    ) async throws -> (jobID: String, storageID: Int64)? {
        let candidates = ClaimCandidateSQL(kinds: kinds, providers: providers)
        guard let row = try await transaction.row(candidates.query, candidates.binds) else { return nil }
        return (try row.string("job_id"), try row.int64("storage_id"))
    }

    func startJob(_ lease: JobLease, now: FerryTime) async throws {
        try await transaction.execute(
            """
            UPDATE jobs SET state = 'running', lease_token = ?, worker_id = ?, instance_id = ?,
                claimed_at = ?, last_progress_at = ?
            WHERE id = ?
            """,
            [.text(lease.token), .text(lease.workerID), .text(lease.instanceID), .time(now), .time(now), .text(lease.jobID)]
        )
    }

    func recordClaimingWorker(workerID: String, instanceID: String, now: FerryTime) async throws {
        try await transaction.execute(
            """
            INSERT INTO workers (worker_id, current_instance_id, registered_at, last_seen_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (worker_id) DO UPDATE SET last_seen_at = excluded.last_seen_at
            """,
            [.text(workerID), .text(instanceID), .time(now), .time(now)]
        )
    }

    func claimedJob(jobID: String, storageID: Int64) async throws -> ClaimedJob {
        guard let job = try await SQLiteFerryStore.fetchJob(id: jobID, in: transaction) else {
            throw StoreError(code: .io, message: "Job \(jobID) vanished inside its claim.")
        }
        let storage = try await SQLiteFerryStore.fetchStorage(id: storageID, in: transaction)
        let sealed = try await transaction.row(
            "SELECT secrets_sealed FROM storages WHERE id = ?",
            [.int64(storageID)]
        )?.optionalBytes("secrets_sealed")
        let secrets = try secretsCoding.open(sealed, storageID: storageID)
        return ClaimedJob(job: job, storage: storage, secrets: secrets)
    }

    func recordJobProgress(jobID: String, now: FerryTime) async throws {
        try await transaction.execute("UPDATE jobs SET last_progress_at = ? WHERE id = ?", [.time(now), .text(jobID)])
    }

    func writeCheckpoint(_ checkpoint: SyncCheckpoint?, jobID: String, now: FerryTime) async throws {
        try await SQLiteFerryStore.writeCheckpoint(checkpoint, jobID: jobID, now: now, in: transaction)
    }

    func finishJob(jobID: String, state: JobState, now: FerryTime) async throws {
        try await transaction.execute(
            "UPDATE jobs SET state = ?, finished_at = ?, last_progress_at = ? WHERE id = ?",
            [.text(state.rawValue), .time(now), .time(now), .text(jobID)]
        )
    }

    func settleJob(
        jobID: String,
        storageID: Int64,
        whenRunning: JobState,
        whenQueued: JobState,
        at time: FerryTime?
    ) async throws {
        try await transaction.execute(
            """
            UPDATE jobs SET state = CASE state WHEN 'running' THEN ? ELSE ? END, finished_at = ?
            WHERE id = ? AND storage_id = ? AND state IN ('queued', 'running')
            """,
            [.text(whenRunning.rawValue), .text(whenQueued.rawValue), .time(time), .text(jobID), .int64(storageID)]
        )
    }
}

extension SQLiteTransaction: LeaseRows {
    func leaseRow(jobID: String) async throws -> JobLeaseRow? {
        try await self.row("SELECT \(JobLeaseRow.select) FROM jobs WHERE id = ?", [.text(jobID)])
            .map(JobLeaseRow.init(row:))
    }
}

extension SQLiteFerryStore {
    /// Runs `body` in a write transaction with the ledger's view of its rows.
    func ledgerWrite<T>(_ body: (SQLiteLedgerRows) async throws -> T) async throws -> T {
        let secretsCoding = self.secretsCoding
        return try await self.writer.write { transaction in
            try await body(SQLiteLedgerRows(transaction: transaction, secretsCoding: secretsCoding))
        }
    }
}
