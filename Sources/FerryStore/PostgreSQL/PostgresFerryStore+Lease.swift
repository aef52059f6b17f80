public import FerryCore

extension PostgresFerryStore {
    /// Whether a lease may still write; see ``FerryStore/checkLease(_:)``.
    ///
    /// - Parameter lease: The lease.
    /// - Returns: Its state.
    /// - Throws: ``StoreError``.
    public func checkLease(_ lease: JobLease) async throws -> LeaseState {
        try await self.session.withConnection { connection in
            try LeaseFence.evaluate(lease, row: try await connection.leaseRow(jobID: lease.jobID)).state
        }
    }

    /// A fenced heartbeat; see ``FerryStore/recordProgress(lease:counters:checkpoint:now:)``.
    ///
    /// - Parameters:
    ///   - lease: The job's lease.
    ///   - counters: Cumulative progress.
    ///   - checkpoint: Where the sync got to; `nil` keeps the stored one.
    ///   - now: The server's current time.
    /// - Returns: The new sync state and whether a cancel was requested.
    /// - Throws: ``StoreError/Code/leaseNotCurrent``, ``StoreError/Code/invalidArgument``.
    public func recordProgress(
        lease: JobLease,
        counters: SyncCounters,
        checkpoint: SyncCheckpoint?,
        now: FerryTime
    ) async throws -> ProgressResult {
        try await self.ledgerWrite { rows in
            try await SyncLedger.recordProgress(lease: lease, counters: counters, checkpoint: checkpoint, now: now, in: rows)
        }
    }

    /// Several fenced heartbeats; see ``FerryStore/recordProgress(_:)``. Each is its own
    /// transaction, which locks its storage and job in the order every other writer does (a
    /// network round trip per statement costs PostgreSQL little; one lock order keeps it free of
    /// deadlocks with the other replicas).
    ///
    /// - Parameter reports: At most one per job.
    /// - Returns: Each report's result, in order; a report whose write failed for any reason
    ///   carries that error.
    public func recordProgress(_ reports: [ProgressReport]) async throws -> [Result<ProgressResult, StoreError>] {
        var results: [Result<ProgressResult, StoreError>] = []
        for report in reports {
            do {
                let result = try await recordProgress(
                    lease: report.lease, counters: report.counters, checkpoint: report.checkpoint, now: report.time)
                results.append(.success(result))
            } catch let error as StoreError {
                results.append(.failure(error))
            }
        }
        return results
    }

    /// A fenced, durable terminal outcome; see ``FerryStore/completeJob(lease:outcome:counters:now:)``.
    ///
    /// - Parameters:
    ///   - lease: The job's lease.
    ///   - outcome: How the job ended.
    ///   - counters: The final counters, if reported.
    ///   - now: The server's current time.
    /// - Returns: The settled sync state.
    /// - Throws: ``StoreError/Code/leaseNotCurrent``, ``StoreError/Code/invalidArgument``.
    public func completeJob(
        lease: JobLease,
        outcome: SyncOutcome,
        counters: SyncCounters?,
        now: FerryTime
    ) async throws -> SyncInfo {
        try await self.ledgerWrite { rows in
            try await SyncLedger.complete(lease: lease, outcome: outcome, counters: counters, now: now, in: rows)
        }
    }
}
