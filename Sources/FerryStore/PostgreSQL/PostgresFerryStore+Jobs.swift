public import FerryCore
import PostgresNIO

extension PostgresFerryStore {
    /// AcquireJob's atomic claim; see
    /// ``FerryStore/claimJob(workerID:instanceID:kinds:providers:now:leaseToken:)``.
    ///
    /// The candidate is picked with `FOR UPDATE SKIP LOCKED`: claimers in any number of processes
    /// each lock a different job (or none), oldest first, and never wait for one another.
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
        try await self.session.withConnection { connection in
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
        try await self.session.withConnection { connection in
            guard
                let row = try await connection.row(
                    """
                    SELECT s.id AS id, \(unescaped: JobColumns.observationSelect)
                    FROM storages s
                    LEFT JOIN jobs j ON j.id = s.last_sync_job AND j.storage_id = s.id
                    LEFT JOIN workers w ON w.worker_id = j.worker_id
                    WHERE s.id = \(storageID)
                    """
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
        try await self.session.write { transaction in
            guard try await transaction.row("DELETE FROM jobs WHERE id = \(id) RETURNING id") != nil else { return false }
            try await transaction.announce(.jobEnded(jobID: id))
            return true
        }
    }

    /// Lists queued and running jobs, oldest first; see ``FerryStore/listJobs(_:)``.
    ///
    /// - Parameter query: States, page size and cursor.
    /// - Returns: The page and the queue's depth, read in one snapshot.
    /// - Throws: ``StoreError``.
    public func listJobs(_ query: JobQuery) async throws -> JobPage {
        let pageSize = query.effectivePageSize
        var page = PostgresQuery.Builder(JobListing.pageSQL(query))
        if let cursor = query.cursor {
            // A row-value comparison: later queue time, or the same one and a later id.
            page.sql(" AND (j.created_at, j.id) > (")
            page.bind(cursor.createdAt.unixMicroseconds)
            page.sql(", ")
            page.bind(cursor.jobID)
            page.sql(")")
        }
        page.sql(JobListing.orderSQL)
        page.bind(Int64(pageSize + 1))
        let pageQuery = page.query
        return try await self.session.read { transaction in
            try JobListing.page(
                rows: try await transaction.rows(pageQuery), pageSize: pageSize,
                depth: try await transaction.row(PostgresQuery(unsafeSQL: JobListing.depthSQL)))
        }
    }

    /// Reads one job in a transaction or on a leased connection.
    static func fetchJob(id: String, in transaction: PostgresTransaction) async throws -> JobRecord? {
        try await transaction.row("SELECT \(unescaped: JobColumns.select) FROM jobs j WHERE j.id = \(id)")
            .map(JobColumns.job(from:))
    }
}
