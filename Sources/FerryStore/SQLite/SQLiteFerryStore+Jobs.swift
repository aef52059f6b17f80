public import FerryCore
import SQLiteNIO

extension SQLiteFerryStore {
    /// AcquireJob's atomic claim; see
    /// ``FerryStore/claimJob(workerID:instanceID:kinds:providers:now:leaseToken:)``.
    ///
    /// - Parameters:
    ///   - workerID: The worker's stable id.
    ///   - instanceID: The worker's process instance.
    ///   - kinds: The kinds it can run; empty for all.
    ///   - providers: The providers it can use; empty for all.
    ///   - now: The server's current time.
    ///   - leaseToken: A fresh token for this claim.
    /// - Returns: The claimed job, or `nil` if none is waiting.
    /// - Throws: ``StoreError/Code/failedPrecondition`` for a superseded instance.
    public func claimJob(
        workerID: String,
        instanceID: String,
        kinds: Set<StorageKind>,
        providers: Set<StorageProvider>,
        now: FerryTime,
        leaseToken: String
    ) async throws -> ClaimedJob? {
        guard !workerID.isEmpty, !instanceID.isEmpty, !leaseToken.isEmpty else {
            throw StoreError.invalidArgument("A claim needs a worker id, an instance id and a lease token.")
        }
        let candidates = ClaimCandidateSQL(kinds: kinds, providers: providers)
        // Empty polls are the common case: answer them from the reader, so an idle worker's
        // long-poll never queues behind heartbeats on the writer. A job queued just after this
        // read is found by the worker's next poll.
        let anyWaiting = try await self.reader.withConnection { connection in
            try await Self.checkNotSuperseded(workerID: workerID, instanceID: instanceID, in: connection)
            return try await connection.row(candidates.query, candidates.binds) != nil
        }
        guard anyWaiting else { return nil }

        return try await self.ledgerWrite { rows in
            try await SyncLedger.claim(
                workerID: workerID, instanceID: instanceID, leaseToken: leaseToken, kinds: kinds, providers: providers,
                now: now, in: rows)
        }
    }

    /// Reads a job; see ``FerryStore/job(id:)``.
    ///
    /// - Parameter id: The job id.
    /// - Returns: The job, or `nil`.
    /// - Throws: ``StoreError``.
    public func job(id: String) async throws -> JobRecord? {
        try await self.reader.withConnection { connection in
            try await Self.fetchJob(id: id, in: connection)
        }
    }

    /// What the queue knows about a storage's current job; see
    /// ``FerryStore/jobObservation(storageID:)``.
    ///
    /// - Parameter storageID: The storage.
    /// - Returns: The observation.
    /// - Throws: ``StoreError/Code/notFound``.
    public func jobObservation(storageID: Int64) async throws -> JobObservation {
        try await self.reader.withConnection { connection in
            guard
                let row = try await connection.row(
                    """
                    SELECT s.id AS id, \(JobColumns.observationSelect)
                    FROM storages s
                    LEFT JOIN jobs j ON j.id = s.last_sync_job AND j.storage_id = s.id
                    LEFT JOIN workers w ON w.worker_id = j.worker_id
                    WHERE s.id = ?
                    """,
                    [.int64(storageID)]
                )
            else {
                throw StoreError.notFound("Storage \(storageID) does not exist.")
            }
            return try JobColumns.observation(from: row)
        }
    }

    /// Removes a job from the queue; see ``FerryStore/deleteJob(id:)``.
    ///
    /// - Parameter id: The job id.
    /// - Returns: Whether it existed.
    /// - Throws: ``StoreError``.
    public func deleteJob(id: String) async throws -> Bool {
        try await self.writer.write { transaction in
            try await transaction.row("DELETE FROM jobs WHERE id = ? RETURNING id", [.text(id)]) != nil
        }
    }

    /// Lists queued and running jobs, oldest first; see ``FerryStore/listJobs(_:)``.
    ///
    /// - Parameter query: States, page size and cursor.
    /// - Returns: The page and the queue's depth, read in one snapshot.
    /// - Throws: ``StoreError``.
    public func listJobs(_ query: JobQuery) async throws -> JobPage {
        let pageSize = query.effectivePageSize
        var sql = JobListing.pageSQL(query)
        var binds: [SQLiteData] = []
        if let cursor = query.cursor {
            // A row-value comparison: later queue time, or the same one and a later id.
            sql += " AND (j.created_at, j.id) > (?, ?)"
            binds += [.int64(cursor.createdAt.unixMicroseconds), .text(cursor.jobID)]
        }
        sql += JobListing.orderSQL + "?"
        binds.append(.int64(Int64(pageSize + 1)))
        return try await self.reader.read { [sql, binds] transaction in
            try JobListing.page(
                rows: try await transaction.rows(sql, binds), pageSize: pageSize,
                depth: try await transaction.row(JobListing.depthSQL))
        }
    }

    static func fetchJob(id: String, in transaction: SQLiteTransaction) async throws -> JobRecord? {
        try await transaction.row("SELECT \(JobColumns.select) FROM jobs j WHERE j.id = ?", [.text(id)])
            .map(JobColumns.job(from:))
    }

    static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ", ")
    }
}

/// The query for the oldest claimable job a worker can run: queued, not cancel-requested, still
/// its storage's current job, and of a kind and provider the worker supports.
struct ClaimCandidateSQL {
    let query: String
    let binds: [SQLiteData]

    init(kinds: Set<StorageKind>, providers: Set<StorageProvider>) {
        var clause = """
            j.state = 'queued' AND j.cancel_requested_at IS NULL \
            AND s.status = 'queued' AND s.last_sync_job = j.id
            """
        var binds: [SQLiteData] = []
        if !kinds.isEmpty {
            clause += " AND j.kind IN (\(SQLiteFerryStore.placeholders(kinds.count)))"
            binds += kinds.map(\.rawValue).sorted().map { .text($0) }
        }
        if !providers.isEmpty {
            clause += " AND s.provider IN (\(SQLiteFerryStore.placeholders(providers.count)))"
            binds += providers.map(\.rawValue).sorted().map { .text($0) }
        }
        self.query = """
            SELECT j.id AS job_id, j.storage_id AS storage_id
            FROM jobs j JOIN storages s ON s.id = j.storage_id
            WHERE \(clause)
            ORDER BY j.created_at, j.rowid
            LIMIT 1
            """
        self.binds = binds
    }
}
