/// The status machine of a storage's sync (docs/CONTRACT.md §2.2): each event takes the current ``SyncInfo``
/// and returns the next one, or throws a ``TransitionError`` when the event is not allowed.
///
/// Allowed transitions (anything else throws):
///
/// | event            | from                            | to                                  | refused with     |
/// |------------------|---------------------------------|-------------------------------------|------------------|
/// | `startSync`      | initialized, completed,         | queued                              | `.alreadyRunning`|
/// |                  | completedWithErrors, failed     |                                     | (names the job)  |
/// | `claim`          | queued                          | inProgress                          | `.notQueued`     |
/// | `recordProgress` | inProgress                      | inProgress                          | `.notInProgress` |
/// | `requestCancel`  | queued, inProgress              | unchanged; stamps cancel time       | `.notActive`     |
/// | `complete`       | inProgress                      | completed, completedWithErrors,     | `.notInProgress` |
/// |                  |                                 | failed (cancelled → failed+CANCELLED)|                 |
/// | `terminate`      | queued, inProgress              | failed with a termination reason    | `.notActive`     |
///
/// Every event after `startSync` names the job it is about; an event for any job but the
/// storage's current one (``SyncInfo/lastSyncJob``) throws `.jobMismatch`. That is the domain's
/// half of fencing: a zombie worker of an earlier sync, or a verdict computed for an earlier
/// sync by a slow lister, cannot touch the current one. (Lease tokens are the store's half.)
///
/// The machine is a plain value with no stored state of its own besides ``info``: the state *is*
/// the `SyncInfo` row, which the server reads, transforms here and writes back with a
/// compare-and-set on (status, job id). That keeps every transition testable without a store.
public struct SyncStatusMachine: Sendable, Hashable {
    /// Bounds on the tracebacks the machine writes.
    public struct Limits: Sendable, Hashable {
        /// At most this many failed items are listed; the rest become "… and K more".
        public var maxListedItems: Int
        /// Each listed item is cut to this many characters.
        public var maxLineLength: Int
        /// A whole traceback is cut to this many UTF-8 bytes.
        public var maxTracebackBytes: Int

        /// Creates limits.
        ///
        /// - Parameters:
        ///   - maxListedItems: Failed items listed before "… and K more" (default 50).
        ///   - maxLineLength: Characters per listed item (default 500).
        ///   - maxTracebackBytes: UTF-8 bytes per traceback (default 64 KiB).
        public init(maxListedItems: Int = 50, maxLineLength: Int = 500, maxTracebackBytes: Int = 65_536) {
            self.maxListedItems = max(0, maxListedItems)
            self.maxLineLength = max(1, maxLineLength)
            self.maxTracebackBytes = max(64, maxTracebackBytes)
        }
    }

    /// The sync state the events apply to.
    public let info: SyncInfo
    /// Bounds on the tracebacks the machine writes.
    public let limits: Limits

    /// Creates a machine over a sync state.
    ///
    /// - Parameters:
    ///   - info: The current sync state.
    ///   - limits: Bounds on tracebacks.
    public init(_ info: SyncInfo, limits: Limits = Limits()) {
        self.info = info
        self.limits = limits
    }

    /// StartSync: queues a new sync.
    ///
    /// Resets `lastSync`, `lastSyncCount`, the traceback and every per-sync field of the meta
    /// (timestamps, counters, worker, termination reason), sets `lastSyncJob` to `jobID`,
    /// increments `attempts` and stamps `timeQueued`.
    ///
    /// - Parameters:
    ///   - jobID: The id of the job just enqueued.
    ///   - now: The server's current time.
    /// - Returns: The sync state, now `queued`.
    /// - Throws: `.alreadyRunning` (with ``TransitionError/runningJobID``) while a sync is queued
    ///   or in progress; `.invalidArgument` for an empty job id.
    public func startSync(jobID: String, now: FerryTime) throws(TransitionError) -> SyncInfo {
        guard !jobID.isEmpty else { throw self.refusal(.invalidArgument, "A sync needs a job id.") }
        guard self.info.status.isSettled else {
            throw self.refusal(
                .alreadyRunning,
                "A sync is already \(self.info.status.words) as job \(self.info.lastSyncJob ?? "(unknown)")."
            )
        }
        return SyncInfo(
            status: .queued,
            lastSync: nil,
            lastSyncCount: 0,
            lastSyncJob: jobID,
            traceback: nil,
            meta: SyncMeta(attempts: self.info.meta.attempts + 1, timeQueued: now)
        )
    }

    /// A worker claims the queued job: the only way work starts.
    ///
    /// Stamps `timeInProgress` and `timeLastPing` and records the worker.
    ///
    /// - Parameters:
    ///   - jobID: The job being claimed.
    ///   - workerID: The claiming worker's stable id.
    ///   - instanceID: The claiming worker's process instance, if known.
    ///   - now: The server's current time.
    /// - Returns: The sync state, now `inProgress`.
    /// - Throws: `.notQueued` unless `queued`; `.jobMismatch` for another job; `.invalidArgument`
    ///   for an empty worker id.
    public func claim(
        jobID: String,
        workerID: String,
        instanceID: String? = nil,
        now: FerryTime
    ) throws(TransitionError) -> SyncInfo {
        guard self.info.status == .queued else {
            throw self.refusal(.notQueued, "Only a queued sync can be claimed; this one is \(self.info.status.words).")
        }
        try self.checkJob(jobID)
        guard !workerID.isEmpty else { throw self.refusal(.invalidArgument, "A claim needs a worker id.") }
        var next = self.info
        next.status = .inProgress
        next.meta.timeInProgress = now
        next.meta.timeLastPing = now
        next.meta.workerID = workerID
        next.meta.workerInstanceID = instanceID
        return next
    }

    /// A heartbeat with progress: records the counters and the ping time.
    ///
    /// `timeLastPing` never moves backwards, so a wall-clock step back cannot make a healthy
    /// sync look older than it is.
    ///
    /// - Parameters:
    ///   - jobID: The job the heartbeat is for.
    ///   - counters: Cumulative progress.
    ///   - now: The server's current time (never the worker's).
    /// - Returns: The sync state, still `inProgress`.
    /// - Throws: `.notInProgress`, `.jobMismatch`, or `.invalidArgument` for a negative counter.
    public func recordProgress(
        jobID: String,
        counters: SyncCounters,
        now: FerryTime
    ) throws(TransitionError) -> SyncInfo {
        try self.checkInProgress(jobID)
        var next = try self.applying(counters)
        next.meta.timeLastPing = max(next.meta.timeLastPing ?? now, now)
        return next
    }

    /// CancelSync: records that a cancel was requested. The status does not change; the worker
    /// learns of it from its next heartbeat reply and confirms with ``SyncOutcome/cancelled``, or
    /// ``TerminationDetector`` settles it (at once for a job nobody has claimed).
    ///
    /// Idempotent: a second request keeps the first request's time.
    ///
    /// - Parameter now: The server's current time.
    /// - Returns: The sync state with `timeCancelRequested` set.
    /// - Throws: `.notActive` unless `queued` or `inProgress`.
    public func requestCancel(now: FerryTime) throws(TransitionError) -> SyncInfo {
        guard self.info.status.isActive else {
            throw self.refusal(.notActive, "There is no queued or running sync to cancel; it is \(self.info.status.words).")
        }
        var next = self.info
        next.meta.timeCancelRequested = next.meta.timeCancelRequested ?? now
        return next
    }

    /// The worker's terminal outcome.
    ///
    /// Stamps `lastSync`, `timeCompleted` (completed, completed with errors) or `timeFailure`
    /// (failed, cancelled) and `duration` = now − `timeInProgress`. A completed-with-errors
    /// traceback lists the failed items, at most ``Limits/maxListedItems`` of them, then
    /// "… and K more". A cancel confirmation fails the sync with reason ``TerminationReason/cancelled``.
    ///
    /// - Parameters:
    ///   - jobID: The job that ended.
    ///   - outcome: How it ended.
    ///   - counters: The final counters, if the terminal heartbeat carries them.
    ///   - cancelReason: Why the cancel was requested and by whom, for a confirmed cancel's traceback.
    ///   - now: The server's current time.
    /// - Returns: The settled sync state.
    /// - Throws: `.notInProgress`, `.jobMismatch`, or `.invalidArgument` for a negative counter.
    public func complete(
        jobID: String,
        outcome: SyncOutcome,
        counters: SyncCounters? = nil,
        cancelReason: String? = nil,
        now: FerryTime
    ) throws(TransitionError) -> SyncInfo {
        try self.checkInProgress(jobID)
        var next = self.info
        if let counters {
            next = try self.applying(counters)
        }
        next.lastSync = now
        next.meta.duration = next.meta.timeInProgress.map { max(.zero, now - $0) }
        switch outcome {
        case .completed:
            next.status = .completed
            next.meta.timeCompleted = now
            next.traceback = nil
        case .completedWithErrors(let items):
            next.status = .completedWithErrors
            next.meta.timeCompleted = now
            next.meta.tasksFailedValidation = max(next.meta.tasksFailedValidation, Int64(items.count))
            next.traceback = Traceback.itemList(items, total: next.meta.tasksFailedValidation, limits: self.limits)
        case .failed(let traceback):
            next.status = .failed
            next.meta.timeFailure = now
            let text = traceback.isEmpty ? "The worker reported a failure without a traceback." : traceback
            next.traceback = Traceback.bounded(text, maxBytes: self.limits.maxTracebackBytes)
        case .cancelled:
            next.status = .failed
            next.meta.timeFailure = now
            next.meta.terminationReason = .cancelled
            next.traceback = Traceback.cancelConfirmed(next, reason: cancelReason, now: now)
        }
        return next
    }

    /// Applies a termination verdict from ``TerminationDetector``: the sync fails with the
    /// verdict's reason and traceback, and `lastSync` and `timeFailure` = now.
    ///
    /// For an in-progress sync `duration` becomes the time from the claim to the last ping, the
    /// last moment it was known to run; a queued sync never ran and keeps no duration.
    ///
    /// - Parameters:
    ///   - verdict: The verdict, computed for this storage's current job.
    ///   - now: The server's current time.
    /// - Returns: The failed sync state.
    /// - Throws: `.notActive` if the sync already settled (someone else persisted a verdict or
    ///   the worker's outcome first; treat as done); `.jobMismatch` if the verdict was computed for
    ///   another job.
    public func terminate(_ verdict: TerminationVerdict, now: FerryTime) throws(TransitionError) -> SyncInfo {
        guard self.info.status.isActive else {
            throw self.refusal(.notActive, "The sync already settled as \(self.info.status.words).")
        }
        if let jobID = verdict.jobID {
            try self.checkJob(jobID)
        }
        var next = self.info
        if next.status == .inProgress, let start = next.meta.timeInProgress {
            next.meta.duration = max(.zero, (next.meta.timeLastPing ?? start) - start)
        }
        next.status = verdict.newStatus
        next.lastSync = now
        next.meta.timeFailure = now
        next.meta.terminationReason = verdict.reason
        next.traceback = Traceback.bounded(verdict.traceback, maxBytes: self.limits.maxTracebackBytes)
        return next
    }

    // MARK: - Checks

    private func checkInProgress(_ jobID: String) throws(TransitionError) {
        guard self.info.status == .inProgress else {
            throw self.refusal(.notInProgress, "The sync is \(self.info.status.words), not in progress.")
        }
        try self.checkJob(jobID)
    }

    private func checkJob(_ jobID: String) throws(TransitionError) {
        guard jobID == self.info.lastSyncJob else {
            throw self.refusal(
                .jobMismatch,
                "Job \(jobID) is not the storage's current job (\(self.info.lastSyncJob ?? "none"))."
            )
        }
    }

    private func applying(_ counters: SyncCounters) throws(TransitionError) -> SyncInfo {
        if let field = counters.firstNegativeField {
            throw self.refusal(.invalidArgument, "Counter \(field) is negative.")
        }
        var next = self.info
        next.meta.tasksExisted = counters.existed
        next.meta.tasksFailedValidation = counters.failedValidation
        next.meta.totalAnnotations = counters.totalAnnotations
        next.meta.objectsScanned = counters.objectsScanned
        next.meta.bytesTransferred = counters.bytes
        return next
    }

    private func refusal(_ code: TransitionError.Code, _ message: String) -> TransitionError {
        TransitionError(code: code, message: message, status: self.info.status, runningJobID: self.info.lastSyncJob)
    }
}
