import FerryCore
import PostgresNIO

/// ``LedgerTransaction`` over one PostgreSQL write transaction.
///
/// Every row the ledger decides on is locked as it is read and stays locked until the commit:
/// the storage (`FOR UPDATE`) before its job, and a claim's candidate job and storage together
/// (`FOR UPDATE … SKIP LOCKED`). So the read-decide-write of each ledger operation is atomic
/// across every process sharing the database, and the fixed order (worker, storage, job) leaves
/// no two of them waiting on each other.
struct PostgresLedgerRows: LedgerTransaction {
    let transaction: PostgresTransaction
    let secretsCoding: SecretsCoding

    func announce(_ change: StoreChange) async throws {
        try await transaction.announce(change)
    }

    func syncState(storageID: Int64) async throws -> StorageSyncState {
        guard
            let row = try await transaction.row(LockSyncState(storageID: storageID))
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
        try await transaction.execute(WriteSyncInfo(info: info, storageID: storageID))
    }

    func insertQueuedJob(_ job: JobRecord) async throws {
        try await transaction.execute(
            """
            INSERT INTO jobs (id, storage_id, kind, provider, state, attempt, only_new, full_export, created_at)
            VALUES (\(job.id), \(job.storageID), \(job.kind.rawValue), \(job.provider.rawValue), 'queued',
                \(Int64(job.attempt)), \(job.options.onlyNew), \(job.options.fullExport), \(time: job.createdAt))
            """
        )
    }

    /// Locks the job's storage, then the job, and reads its fencing columns: a fenced write then
    /// holds both until it commits, so no verdict, cancel or claim lands in between.
    func leaseRow(jobID: String) async throws -> JobLeaseRow? {
        try await transaction.execute(LockStorageOfJob(jobID: jobID))
        return try await transaction.row(LockJobLease(jobID: jobID)).map(JobLeaseRow.init(row:))
    }

    func requestJobCancel(jobID: String, reason: String?, now: FerryTime) async throws {
        try await transaction.execute(
            """
            UPDATE jobs SET cancel_requested_at = COALESCE(cancel_requested_at, \(time: now)),
                cancel_reason = COALESCE(cancel_reason, \(reason)::TEXT)
            WHERE id = \(jobID) AND state IN ('queued', 'running')
            """
        )
    }

    /// Reads the worker's registration locked, so a new instance registering meanwhile waits for
    /// this claim (and then finds its job to mark lost) instead of racing it.
    func checkNotSuperseded(workerID: String, instanceID: String) async throws {
        let row = try await transaction.row(LockWorker(workerID: workerID))
        guard let current = try row?.string("current_instance_id"), current != instanceID else { return }
        throw StoreError(
            code: .failedPrecondition,
            message: "Instance \(instanceID) of worker \(workerID) was superseded by instance \(current); "
                + "it may not claim jobs."
        )
    }

    /// The oldest claimable job, with it and its storage locked; rows another transaction holds
    /// are skipped, so concurrent claimers each get a different job and never wait.
    func nextClaimableJob(
        kinds: Set<StorageKind>,
        providers: Set<StorageProvider>
    ) async throws -> (jobID: String, storageID: Int64)? {
        var query = PostgresQuery.Builder(
            """
            SELECT j.id AS job_id, j.storage_id AS storage_id
            FROM jobs j JOIN storages s ON s.id = j.storage_id
            WHERE j.state = 'queued' AND j.cancel_requested_at IS NULL
            AND s.status = 'queued' AND s.last_sync_job = j.id
            """
        )
        if !kinds.isEmpty {
            query.sql(" AND j.kind = ANY(")
            try query.bind(array: kinds.map(\.rawValue).sorted())
            query.sql(")")
        }
        if !providers.isEmpty {
            query.sql(" AND s.provider = ANY(")
            try query.bind(array: providers.map(\.rawValue).sorted())
            query.sql(")")
        }
        query.sql(" ORDER BY j.created_at, j.seq LIMIT 1 FOR UPDATE OF j, s SKIP LOCKED")
        guard let row = try await transaction.row(query.query) else { return nil }
        return (try row.string("job_id"), try row.int64("storage_id"))
    }

    func startJob(_ lease: JobLease, now: FerryTime) async throws {
        try await transaction.execute(StartJob(lease: lease, now: now))
    }

    func recordClaimingWorker(workerID: String, instanceID: String, now: FerryTime) async throws {
        try await transaction.execute(RecordClaimingWorker(workerID: workerID, instanceID: instanceID, now: now))
    }

    func claimedJob(jobID: String, storageID: Int64) async throws -> ClaimedJob {
        guard let job = try await PostgresFerryStore.fetchJob(id: jobID, in: transaction) else {
            throw StoreError(code: .io, message: "Job \(jobID) vanished inside its claim.")
        }
        let storage = try await PostgresFerryStore.fetchStorage(id: storageID, in: transaction)
        let sealed = try await transaction.row(
            "SELECT secrets_sealed FROM storages WHERE id = \(storageID)"
        )?.optionalBytes("secrets_sealed")
        let secrets = try secretsCoding.open(sealed, storageID: storageID)
        return ClaimedJob(job: job, storage: storage, secrets: secrets)
    }

    func recordJobProgress(jobID: String, now: FerryTime) async throws {
        try await transaction.execute(RecordJobProgress(jobID: jobID, now: now))
    }

    func writeCheckpoint(_ checkpoint: SyncCheckpoint?, jobID: String, now: FerryTime) async throws {
        guard let checkpoint else { return }
        try await transaction.execute(
            """
            UPDATE jobs SET checkpoint_last_key = \(checkpoint.lastKey), checkpoint_state = \(bytes: checkpoint.state),
                checkpoint_updated_at = \(time: now)
            WHERE id = \(jobID)
            """
        )
    }

    func finishJob(jobID: String, state: JobState, now: FerryTime) async throws {
        try await transaction.execute(
            """
            UPDATE jobs SET state = \(state.rawValue), finished_at = \(time: now), last_progress_at = \(time: now)
            WHERE id = \(jobID)
            """
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
            UPDATE jobs SET state = CASE state WHEN 'running' THEN \(whenRunning.rawValue) ELSE \(whenQueued.rawValue) END,
                finished_at = \(time: time)
            WHERE id = \(jobID) AND storage_id = \(storageID) AND state IN ('queued', 'running')
            """
        )
    }
}

/// Unlocked reads of the fencing columns, for read-only transactions (a lease check, the keys
/// an import still needs).
extension PostgresTransaction: LeaseRows {
    func leaseRow(jobID: String) async throws -> JobLeaseRow? {
        try await self.row(ReadJobLease(jobID: jobID)).map(JobLeaseRow.init(row:))
    }
}

extension PostgresFerryStore {
    /// Runs `body` in a write transaction with the ledger's view of its rows.
    func ledgerWrite<T: Sendable>(_ body: (PostgresLedgerRows) async throws -> T) async throws -> T {
        let secretsCoding = self.secretsCoding
        return try await self.session.write { transaction in
            try await body(PostgresLedgerRows(transaction: transaction, secretsCoding: secretsCoding))
        }
    }
}
