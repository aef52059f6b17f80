public import FerryCore
import SQLiteNIO

extension SQLiteFerryStore {
    /// Whether a lease may still write; see ``FerryStore/checkLease(_:)``.
    ///
    /// - Parameter lease: The lease.
    /// - Returns: Its state.
    /// - Throws: ``StoreError``.
    public func checkLease(_ lease: JobLease) async throws -> LeaseState {
        try await self.reader.withConnection { connection in
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

    /// Several fenced heartbeats in one write transaction; see ``FerryStore/recordProgress(_:)``.
    ///
    /// - Parameter reports: At most one per job.
    /// - Returns: Each report's result, in order.
    /// - Throws: ``StoreError`` when the transaction failed (nothing was written).
    public func recordProgress(_ reports: [ProgressReport]) async throws -> [Result<ProgressResult, StoreError>] {
        guard !reports.isEmpty else { return [] }
        return try await self.ledgerWrite { rows in try await SyncLedger.recordProgress(reports, in: rows) }
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

    // MARK: - Shared by the fenced writes

    static func writeCheckpoint(
        _ checkpoint: SyncCheckpoint?,
        jobID: String,
        now: FerryTime,
        in transaction: SQLiteTransaction
    ) async throws {
        guard let checkpoint else { return }
        try await transaction.execute(
            "UPDATE jobs SET checkpoint_last_key = ?, checkpoint_state = ?, checkpoint_updated_at = ? WHERE id = ?",
            [.text(checkpoint.lastKey), .bytes(checkpoint.state), .time(now), .text(jobID)]
        )
    }
}
