public import FerryCore
import SQLiteNIO

extension SQLiteFerryStore {
    /// StartSync, single-flight; see ``FerryStore/startSync(storageID:options:now:jobID:)``.
    ///
    /// The read, the status-machine decision and the writes are one `BEGIN IMMEDIATE` transaction
    /// on the writer, so of any number of concurrent calls exactly one sees a settled storage.
    ///
    /// - Parameters:
    ///   - storageID: The storage.
    ///   - options: The sync options.
    ///   - now: The server's current time.
    ///   - jobID: The id for a new job.
    /// - Returns: The new job, or the job already there.
    /// - Throws: ``StoreError/Code/notFound``, ``StoreError/Code/conflict``.
    public func startSync(
        storageID: Int64,
        options: SyncOptions,
        now: FerryTime,
        jobID: String
    ) async throws -> StartSyncResult {
        try await self.writer.write { transaction in
            let current = try await Self.fetchSyncState(storageID: storageID, in: transaction)
            let next: SyncInfo
            do throws(TransitionError) {
                next = try SyncStatusMachine(current.info).startSync(jobID: jobID, now: now)
            } catch  where error.code == .alreadyRunning {
                return .alreadyRunning(
                    jobID: error.runningJobID ?? current.info.lastSyncJob ?? "",
                    syncInfo: current.info
                )
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
            try await transaction.execute(
                """
                INSERT INTO jobs (id, storage_id, kind, provider, state, attempt, only_new, full_export, created_at)
                VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, ?)
                """,
                [
                    .text(job.id), .int64(storageID), .text(job.kind.rawValue), .text(job.provider.rawValue),
                    .int(job.attempt), .bool(options.onlyNew), .bool(options.fullExport), .time(now),
                ]
            )
            try await Self.writeSyncInfo(next, storageID: storageID, in: transaction)
            return .started(job: job, syncInfo: next)
        }
    }

    /// Persists a termination verdict once; see
    /// ``FerryStore/applyVerdict(storageID:expectedJobID:newInfo:)``.
    ///
    /// - Parameters:
    ///   - storageID: The storage.
    ///   - expectedJobID: The job the verdict is about.
    ///   - newInfo: The settled sync state.
    /// - Returns: Whether this call wrote the verdict.
    /// - Throws: ``StoreError/Code/invalidArgument``.
    public func applyVerdict(storageID: Int64, expectedJobID: String, newInfo: SyncInfo) async throws -> Bool {
        guard newInfo.status.isSettled else {
            throw StoreError.invalidArgument("A verdict must settle the sync; \(newInfo.status) does not.")
        }
        guard newInfo.lastSyncJob == expectedJobID else {
            throw StoreError.invalidArgument(
                "The verdict's sync state names job \(newInfo.lastSyncJob ?? "none"), not \(expectedJobID)."
            )
        }
        let jobStates = Self.jobStates(for: newInfo.meta.terminationReason)
        return try await self.writer.write { transaction in
            // The compare-and-set: still active, still this job, no ping since the verdict's read.
            // last_sync_count keeps the stored value (the last assignment wins, and reads the old
            // row): a batch committed after the verdict's read still counts.
            let updated = try await transaction.row(
                """
                UPDATE storages SET \(SyncInfoColumns.assignments), last_sync_count = last_sync_count
                WHERE id = ? AND status IN ('queued', 'in_progress') AND last_sync_job = ? AND time_last_ping IS ?
                RETURNING id
                """,
                SyncInfoColumns.binds(newInfo)
                    + [.int64(storageID), .text(expectedJobID), .time(newInfo.meta.timeLastPing)]
            )
            guard updated != nil else { return false }
            try await transaction.execute(
                """
                UPDATE jobs SET state = CASE state WHEN 'running' THEN ? ELSE ? END, finished_at = ?
                WHERE id = ? AND storage_id = ? AND state IN ('queued', 'running')
                """,
                [
                    .text(jobStates.running.rawValue), .text(jobStates.queued.rawValue),
                    .time(newInfo.meta.timeFailure), .text(expectedJobID), .int64(storageID),
                ]
            )
            return true
        }
    }

    /// CancelSync; see ``FerryStore/requestCancel(storageID:reason:now:)``.
    ///
    /// - Parameters:
    ///   - storageID: The storage.
    ///   - reason: Why, as the caller said.
    ///   - now: The server's current time.
    /// - Returns: The job asked to stop, if any.
    /// - Throws: ``StoreError/Code/notFound``.
    public func requestCancel(storageID: Int64, reason: String?, now: FerryTime) async throws -> CancelResult {
        try await self.writer.write { transaction in
            let current = try await Self.fetchSyncState(storageID: storageID, in: transaction)
            guard current.info.status.isActive else {
                return CancelResult(jobID: nil, cancelRequested: false, syncInfo: current.info)
            }
            let next: SyncInfo
            do throws(TransitionError) {
                next = try SyncStatusMachine(current.info).requestCancel(now: now)
            } catch {
                throw StoreError.refused(error)
            }
            try await Self.writeSyncInfo(next, storageID: storageID, in: transaction)
            if let jobID = next.lastSyncJob {
                try await transaction.execute(
                    """
                    UPDATE jobs SET cancel_requested_at = COALESCE(cancel_requested_at, ?),
                        cancel_reason = COALESCE(cancel_reason, ?)
                    WHERE id = ? AND state IN ('queued', 'running')
                    """,
                    [.time(now), .text(reason.flatMap { $0.isEmpty ? nil : $0 }), .text(jobID)]
                )
            }
            return CancelResult(jobID: next.lastSyncJob, cancelRequested: true, syncInfo: next)
        }
    }

    // MARK: - Shared by the sync and job operations

    /// A storage's sync state with the columns a job needs.
    struct SyncState {
        var kind: StorageKind
        var provider: StorageProvider
        var info: SyncInfo
    }

    static func fetchSyncState(storageID: Int64, in transaction: SQLiteTransaction) async throws -> SyncState {
        guard
            let row = try await transaction.row(
                "SELECT s.kind AS kind, s.provider AS provider, \(SyncInfoColumns.select) FROM storages s WHERE s.id = ?",
                [.int64(storageID)]
            )
        else {
            throw StoreError.notFound("Storage \(storageID) does not exist.")
        }
        return SyncState(
            kind: try row.rawEnum("kind", as: StorageKind.self),
            provider: try row.rawEnum("provider", as: StorageProvider.self),
            info: try SyncInfoColumns.syncInfo(from: row)
        )
    }

    static func writeSyncInfo(_ info: SyncInfo, storageID: Int64, in transaction: SQLiteTransaction) async throws {
        try await transaction.execute(
            "UPDATE storages SET \(SyncInfoColumns.assignments) WHERE id = ?",
            SyncInfoColumns.binds(info) + [.int64(storageID)]
        )
    }

    /// The state a verdict leaves an active job in, by the job's state before.
    private static func jobStates(for reason: TerminationReason?) -> (running: JobState, queued: JobState) {
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
