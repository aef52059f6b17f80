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
            try await Self.leaseState(of: lease, in: connection).state
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
        try await self.writer.write { transaction in
            let job = try await Self.fence(lease, in: transaction)
            let current = try await Self.fetchSyncState(storageID: job.storageID, in: transaction)
            let next: SyncInfo
            do throws(TransitionError) {
                next = try SyncStatusMachine(current.info).recordProgress(
                    jobID: lease.jobID,
                    counters: counters,
                    now: now
                )
            } catch {
                throw StoreError.refused(error)
            }
            try await Self.writeSyncInfo(next, storageID: job.storageID, in: transaction)
            try await transaction.execute(
                "UPDATE jobs SET last_progress_at = ? WHERE id = ?",
                [.time(now), .text(lease.jobID)]
            )
            try await Self.writeCheckpoint(checkpoint, jobID: lease.jobID, now: now, in: transaction)
            return ProgressResult(
                syncInfo: next,
                cancelRequested: job.cancelRequestedAt != nil || next.meta.timeCancelRequested != nil
            )
        }
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
        try await self.writer.write { transaction in
            let job = try await Self.fence(lease, in: transaction)
            let current = try await Self.fetchSyncState(storageID: job.storageID, in: transaction)
            let next: SyncInfo
            do throws(TransitionError) {
                next = try SyncStatusMachine(current.info).complete(
                    jobID: lease.jobID,
                    outcome: outcome,
                    counters: counters,
                    cancelReason: job.cancelReason,
                    now: now
                )
            } catch {
                throw StoreError.refused(error)
            }
            let state: JobState
            switch outcome {
            case .completed, .completedWithErrors: state = .succeeded
            case .failed: state = .failed
            case .cancelled: state = .cancelled
            }
            try await Self.writeSyncInfo(next, storageID: job.storageID, in: transaction)
            try await transaction.execute(
                "UPDATE jobs SET state = ?, finished_at = ?, last_progress_at = ? WHERE id = ?",
                [.text(state.rawValue), .time(now), .time(now), .text(lease.jobID)]
            )
            return next
        }
    }

    // MARK: - Fencing

    /// The job row behind an active lease.
    struct FencedJob {
        var storageID: Int64
        var kind: StorageKind
        var cancelRequestedAt: FerryTime?
        var cancelReason: String?
    }

    /// Checks a lease inside the caller's transaction; throws ``StoreError/Code/leaseNotCurrent``
    /// unless the job exists, is `running`, and holds this token, and
    /// ``StoreError/Code/notLeaseHolder`` when the lease's worker or instance is not the claimant.
    /// Run in the same transaction as the write it guards, so no verdict can land between the check
    /// and the write.
    static func fence(_ lease: JobLease, in transaction: SQLiteTransaction) async throws -> FencedJob {
        let (state, job) = try await Self.leaseState(of: lease, in: transaction)
        guard case .active = state, let job else {
            throw StoreError(
                code: .leaseNotCurrent,
                message: "The lease on job \(lease.jobID) is not current (\(state)); the worker must stop the job."
            )
        }
        return job
    }

    static func leaseState(
        of lease: JobLease,
        in transaction: SQLiteTransaction
    ) async throws -> (state: LeaseState, job: FencedJob?) {
        guard
            let row = try await transaction.row(
                """
                SELECT storage_id, kind, state, lease_token, worker_id, instance_id, cancel_requested_at, cancel_reason
                FROM jobs WHERE id = ?
                """,
                [.text(lease.jobID)]
            )
        else {
            return (.unknown, nil)
        }
        guard let token = try row.optionalString("lease_token"), Self.tokensMatch(token, lease.token) else {
            return (.unknown, nil)
        }
        let state = try row.rawEnum("state", as: JobState.self)
        guard state == .running else { return (.settled(state), nil) }
        let holder = (worker: try row.optionalString("worker_id"), instance: try row.optionalString("instance_id"))
        guard holder.worker == lease.workerID, holder.instance == lease.instanceID else {
            throw StoreError(
                code: .notLeaseHolder,
                message: "Job \(lease.jobID) is held by another worker process; worker '\(lease.workerID)' "
                    + "(instance \(lease.instanceID)) may not use its lease."
            )
        }
        let job = FencedJob(
            storageID: try row.int64("storage_id"),
            kind: try row.rawEnum("kind", as: StorageKind.self),
            cancelRequestedAt: try row.optionalTime("cancel_requested_at"),
            cancelReason: try row.optionalString("cancel_reason")
        )
        return (.active, job)
    }

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

    /// Compares tokens in time independent of where they first differ.
    private static func tokensMatch(_ stored: String, _ presented: String) -> Bool {
        let lhs = Array(stored.utf8)
        let rhs = Array(presented.utf8)
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices {
            difference |= lhs[index] ^ rhs[index]
        }
        return difference == 0
    }
}
