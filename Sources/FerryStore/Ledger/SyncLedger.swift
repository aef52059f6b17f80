import FerryCore

/// The sync and job operations of ``FerryStore``, written once over ``LedgerTransaction``: each
/// reads rows, runs `SyncStatusMachine` or ``LeaseFence``, and writes the result, all inside the
/// caller's transaction. A store only opens the transaction and supplies the rows.
enum SyncLedger {
    /// StartSync, single-flight; see ``FerryStore/startSync(storageID:options:now:jobID:)``.
    static func startSync(
        storageID: Int64,
        options: SyncOptions,
        now: FerryTime,
        jobID: String,
        in transaction: some LedgerTransaction
    ) async throws -> StartSyncResult {
        let current = try await transaction.syncState(storageID: storageID)
        let next: SyncInfo
        do throws(TransitionError) {
            next = try SyncStatusMachine(current.info).startSync(jobID: jobID, now: now)
        } catch where error.code == .alreadyRunning {
            return .alreadyRunning(jobID: error.runningJobID ?? current.info.lastSyncJob ?? "", syncInfo: current.info)
        } catch {
            throw StoreError.refused(error)
        }
        let job = JobRecord(
            id: jobID,
            storageID: storageID,
            kind: current.kind,
            provider: current.provider,
            state: .queued,
            attempt: 1,
            options: options,
            createdAt: now
        )
        try await transaction.insertQueuedJob(job)
        try await transaction.writeSyncInfo(next, storageID: storageID)
        try await transaction.announce(.syncQueued)
        return .started(job: job, syncInfo: next)
    }

    /// Checks that a verdict can be persisted at all, before any transaction.
    ///
    /// - Throws: ``StoreError/Code/invalidArgument`` if `newInfo` is not settled or names another job.
    static func validateVerdict(expectedJobID: String, newInfo: SyncInfo) throws {
        guard newInfo.status.isSettled else {
            throw StoreError.invalidArgument("A verdict must settle the sync; \(newInfo.status) does not.")
        }
        guard newInfo.lastSyncJob == expectedJobID else {
            throw StoreError.invalidArgument(
                "The verdict's sync state names job \(newInfo.lastSyncJob ?? "none"), not \(expectedJobID)."
            )
        }
    }

    /// Persists a termination verdict once; see
    /// ``FerryStore/applyVerdict(storageID:expectedJobID:newInfo:)``.
    ///
    /// The compare-and-set: written only while the storage is still active, on this job, with no
    /// ping since the verdict's read. `last_sync_count` keeps the stored value, so a batch
    /// committed after the verdict's read still counts.
    static func applyVerdict(
        storageID: Int64,
        expectedJobID: String,
        newInfo: SyncInfo,
        in transaction: some LedgerTransaction
    ) async throws -> Bool {
        let current: StorageSyncState
        do {
            current = try await transaction.syncState(storageID: storageID)
        } catch let error as StoreError where error.code == .notFound {
            return false
        }
        guard current.info.status.isActive, current.info.lastSyncJob == expectedJobID,
            current.info.meta.timeLastPing == newInfo.meta.timeLastPing
        else { return false }
        var written = newInfo
        written.lastSyncCount = current.info.lastSyncCount
        try await transaction.writeSyncInfo(written, storageID: storageID)
        let settled = jobStates(for: newInfo.meta.terminationReason)
        try await transaction.settleJob(
            jobID: expectedJobID,
            storageID: storageID,
            whenRunning: settled.running,
            whenQueued: settled.queued,
            at: newInfo.meta.timeFailure
        )
        try await transaction.announce(.jobEnded(jobID: expectedJobID))
        return true
    }

    /// CancelSync; see ``FerryStore/requestCancel(storageID:reason:now:)``.
    static func requestCancel(
        storageID: Int64,
        reason: String?,
        now: FerryTime,
        in transaction: some LedgerTransaction
    ) async throws -> CancelResult {
        let current = try await transaction.syncState(storageID: storageID)
        guard current.info.status.isActive else {
            return CancelResult(jobID: nil, cancelRequested: false, syncInfo: current.info)
        }
        let next = try step(current.info) { machine throws(TransitionError) in
            try machine.requestCancel(now: now)
        }
        try await transaction.writeSyncInfo(next, storageID: storageID)
        if let jobID = next.lastSyncJob {
            try await transaction.requestJobCancel(jobID: jobID, reason: reason.flatMap { $0.isEmpty ? nil : $0 }, now: now)
            try await transaction.announce(.cancelRequested(jobID: jobID))
        }
        return CancelResult(jobID: next.lastSyncJob, cancelRequested: true, syncInfo: next)
    }

    /// AcquireJob's claim; see
    /// ``FerryStore/claimJob(workerID:instanceID:kinds:providers:now:leaseToken:)``.
    static func claim(
        workerID: String,
        instanceID: String,
        leaseToken: String,
        kinds: Set<StorageKind>,
        providers: Set<StorageProvider>,
        now: FerryTime,
        in transaction: some LedgerTransaction
    ) async throws -> ClaimedJob? {
        try await transaction.checkNotSuperseded(workerID: workerID, instanceID: instanceID)
        guard let candidate = try await transaction.nextClaimableJob(kinds: kinds, providers: providers) else {
            return nil
        }
        let current = try await transaction.syncState(storageID: candidate.storageID)
        let next = try step(current.info) { machine throws(TransitionError) in
            try machine.claim(
                jobID: candidate.jobID,
                workerID: workerID,
                instanceID: instanceID,
                now: now
            )
        }
        let lease = JobLease(jobID: candidate.jobID, token: leaseToken, workerID: workerID, instanceID: instanceID)
        try await transaction.startJob(lease, now: now)
        try await transaction.writeSyncInfo(next, storageID: candidate.storageID)
        try await transaction.recordClaimingWorker(workerID: workerID, instanceID: instanceID, now: now)
        return try await transaction.claimedJob(jobID: candidate.jobID, storageID: candidate.storageID)
    }

    /// The job behind an active lease, checked inside the caller's transaction so that no
    /// verdict can land between the check and the write it guards.
    ///
    /// - Throws: ``StoreError/Code/leaseNotCurrent``, ``StoreError/Code/notLeaseHolder``.
    static func fence(_ lease: JobLease, in rows: some LeaseRows) async throws -> FencedJob {
        try LeaseFence.require(lease, row: try await rows.leaseRow(jobID: lease.jobID))
    }

    /// A fenced heartbeat; see ``FerryStore/recordProgress(lease:counters:checkpoint:now:)``.
    static func recordProgress(
        lease: JobLease,
        counters: SyncCounters,
        checkpoint: SyncCheckpoint?,
        now: FerryTime,
        in transaction: some LedgerTransaction
    ) async throws -> ProgressResult {
        let job = try await fence(lease, in: transaction)
        let current = try await transaction.syncState(storageID: job.storageID)
        let next = try step(current.info) { machine throws(TransitionError) in
            try machine.recordProgress(jobID: lease.jobID, counters: counters, now: now)
        }
        try await transaction.writeSyncInfo(next, storageID: job.storageID)
        try await transaction.recordJobProgress(jobID: lease.jobID, now: now)
        try await transaction.writeCheckpoint(checkpoint, jobID: lease.jobID, now: now)
        return ProgressResult(
            syncInfo: next,
            cancelRequested: job.cancelRequestedAt != nil || next.meta.timeCancelRequested != nil
        )
    }

    /// A fenced terminal outcome; see ``FerryStore/completeJob(lease:outcome:counters:now:)``.
    static func complete(
        lease: JobLease,
        outcome: SyncOutcome,
        counters: SyncCounters?,
        now: FerryTime,
        in transaction: some LedgerTransaction
    ) async throws -> SyncInfo {
        let job = try await fence(lease, in: transaction)
        let current = try await transaction.syncState(storageID: job.storageID)
        let next = try step(current.info) { machine throws(TransitionError) in
            try machine.complete(
                jobID: lease.jobID,
                outcome: outcome,
                counters: counters,
                cancelReason: job.cancelReason,
                now: now
            )
        }
        let state: JobState
        switch outcome {
        case .completed, .completedWithErrors: state = .succeeded
        case .failed: state = .failed
        case .cancelled: state = .cancelled
        }
        try await transaction.writeSyncInfo(next, storageID: job.storageID)
        try await transaction.finishJob(jobID: lease.jobID, state: state, now: now)
        try await transaction.announce(.jobEnded(jobID: lease.jobID))
        return next
    }

    /// Runs one status-machine step on `info`; a refusal becomes a store error.
    static func step(
        _ info: SyncInfo,
        _ transition: (SyncStatusMachine) throws(TransitionError) -> SyncInfo
    ) throws(StoreError) -> SyncInfo {
        do throws(TransitionError) {
            return try transition(SyncStatusMachine(info))
        } catch {
            throw StoreError.refused(error)
        }
    }

    /// The state a verdict leaves an active job in, by the job's state before.
    static func jobStates(for reason: TerminationReason?) -> (running: JobState, queued: JobState) {
        switch reason {
        case .cancelled: (.cancelled, .cancelled)
        case .jobFailed: (.lost, .failed)
        default: (.failed, .failed)
        }
    }
}

extension StoreError {
    /// A status-machine refusal as a store error, keeping the `TransitionError` as the cause.
    static func refused(_ error: TransitionError) -> StoreError {
        StoreError(
            code: error.code == .invalidArgument ? .invalidArgument : .failedPrecondition,
            message: error.message,
            cause: error
        )
    }
}
