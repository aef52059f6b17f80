/// Decides whether a queued or running sync has ended without saying so (docs/CONTRACT.md §3.4).
///
/// A pure function of the storage's ``SyncInfo``, what the queue knows about its job
/// (``JobObservation``), the ``TerminationPolicy`` and `now`. ListStorages and GetStorage run it
/// for every storage they return that is `queued` or `inProgress`; settled statuses
/// (`initialized`, `completed`, `completedWithErrors`, `failed`) always yield `nil`.
///
/// Rules:
///
/// | reason               | matches when                                                                 |
/// |----------------------|------------------------------------------------------------------------------|
/// | `CANCELLED`          | a cancel was requested (storage meta, job state or job record) and then: the worker confirmed (job `cancelled`), or nobody ever claimed the job (storage `queued`, no lease), or the job ended another way (lease expired, heartbeat stale, job failed/lost, holder instance gone, job missing) |
/// | `JOB_MISSING`        | the queue has no job with the storage's `lastSyncJob` id                      |
/// | `JOB_FAILED`         | the job is recorded `failed` or `lost`, or its lease holder's instance is no longer its worker's current instance |
/// | `HEARTBEAT_TIMEOUT`  | `inProgress` and now − last heartbeat > `staleAfter` (strict)                 |
/// | `QUEUE_TIMEOUT`      | `queued` and now − `timeQueued` > `queuedTimeout` (strict)                    |
///
/// Precedence, when several match: **cancelled > job missing > job failed > heartbeat timeout >
/// queue timeout**. The reason recorded is the one that best explains the end to a user:
/// - A requested cancel comes first because it is what the user asked for; whatever else was
///   seen (the worker died, the job was purged) is how the cancel came about, and the traceback
///   still says so. Without a cancel request, a live worker that has not yet confirmed is waited
///   for — a cancel alone never fails a claimed sync.
/// - Job missing and job failed are *causes*: a purged job or a restarted worker explains why
///   heartbeats stopped, and both are known at once, without waiting out a timeout. Missing
///   ranks over failed because with no job record there is nothing left to have failed.
/// - Heartbeat timeout and queue timeout are *symptoms* (silence), used when nothing more
///   specific is known. They cannot both match (one needs `inProgress`, the other `queued`).
///
/// The last heartbeat is the newest of the stored `timeLastPing` and what ``HeartbeatEvidence``
/// adds: pings the server acknowledged but did not persist (it coalesces writes), and the server's
/// own start, before which a previous process may have acknowledged one. So a verdict never comes
/// earlier than `staleAfter` after a heartbeat the server acknowledged.
///
/// Missing timestamps on an active sync (a corrupt or hand-edited row) count as infinitely old,
/// so such a sync is failed with a traceback rather than left active forever.
public struct TerminationDetector: Sendable, Hashable {
    /// The timing settings.
    public var policy: TerminationPolicy

    /// Creates a detector.
    ///
    /// - Parameter policy: The timing settings.
    public init(policy: TerminationPolicy = .default) {
        self.policy = policy
    }

    /// Evaluates the rules for one storage.
    ///
    /// - Parameters:
    ///   - info: The storage's sync state as stored.
    ///   - job: What the queue knows about the job named by `info.lastSyncJob`.
    ///   - heartbeats: What this server process knows of the job's heartbeats beyond the store.
    ///   - now: The server's current time.
    /// - Returns: The verdict to persist, or `nil` if the sync is settled or still looks alive.
    public func evaluate(
        _ info: SyncInfo,
        job: JobObservation,
        heartbeats: HeartbeatEvidence = HeartbeatEvidence(),
        now: FerryTime
    ) -> TerminationVerdict? {
        guard info.status.isActive else { return nil }
        let findings = Findings(info: info, observation: job, heartbeats: heartbeats, policy: self.policy, now: now)
        let matched = findings.matchedReasons
        guard let reason = matched.first else { return nil }
        return TerminationVerdict(
            newStatus: .failed,
            reason: reason,
            traceback: findings.traceback(for: reason),
            jobID: info.lastSyncJob,
            matchedReasons: matched
        )
    }

    /// Evaluates the rules for one storage at the clock's current time.
    ///
    /// - Parameters:
    ///   - info: The storage's sync state as stored.
    ///   - job: What the queue knows about its job.
    ///   - clock: The clock to read `now` from.
    /// - Returns: The verdict to persist, or `nil`.
    public func evaluate(_ info: SyncInfo, job: JobObservation, clock: some FerryClock) -> TerminationVerdict? {
        self.evaluate(info, job: job, now: clock.now())
    }
}

/// Everything detection saw about one storage, computed once and shared by the rules and the
/// traceback.
struct Findings {
    let info: SyncInfo
    /// The observed job, or `nil` when missing (or when the queue's job is another one).
    let job: ObservedJob?
    /// The id of a job the queue holds that is *not* the storage's current job, if any.
    let foreignJobID: String?
    let policy: TerminationPolicy
    let now: FerryTime

    /// The earliest known cancel request, from the storage or the job.
    let cancelRequestedAt: FerryTime?
    let cancelRequested: Bool
    let cancelConfirmed: Bool
    let neverClaimed: Bool
    let leaseExpired: Bool
    let jobRecordedFailed: Bool
    let holderReplaced: Bool
    /// The stored last sign of life of an in-progress sync: last ping, else claim, else queue time.
    let lastPing: FerryTime?
    /// The newest heartbeat known: the stored one or a newer one this process acknowledged.
    let lastHeartbeat: FerryTime?
    /// Set when silence is measured from this server process's start rather than a heartbeat.
    let restartedAt: FerryTime?
    let stale: Bool
    let queueTimedOut: Bool

    init(
        info: SyncInfo,
        observation: JobObservation,
        heartbeats: HeartbeatEvidence,
        policy: TerminationPolicy,
        now: FerryTime
    ) {
        self.info = info
        self.policy = policy
        self.now = now
        switch observation {
        case .missing:
            self.job = nil
            self.foreignJobID = nil
        case .present(let observed) where observed.jobID == info.lastSyncJob:
            self.job = observed
            self.foreignJobID = nil
        case .present(let observed):
            self.job = nil
            self.foreignJobID = observed.jobID
        }
        let job = self.job

        let requests = [info.meta.timeCancelRequested, job?.cancelRequestedAt].compactMap { $0 }
        self.cancelRequestedAt = requests.min()
        self.cancelConfirmed = job?.state == .cancelled
        self.cancelRequested =
            self.cancelRequestedAt != nil || job?.state == .cancelRequested || self.cancelConfirmed

        self.neverClaimed = info.status == .queued && job?.lease == nil
        self.leaseExpired = job?.lease?.expiresAt.map { now > $0 } ?? false
        self.jobRecordedFailed = job?.state == .failed || job?.state == .lost
        self.holderReplaced = job?.lease.map { !$0.holderIsCurrentInstance } ?? false

        self.lastPing = info.meta.timeLastPing ?? info.meta.timeInProgress ?? info.meta.timeQueued
        self.lastHeartbeat = heartbeats.lastHeartbeat(stored: self.lastPing)
        let silenceStart = heartbeats.silenceStart(stored: self.lastPing)
        self.restartedAt = silenceStart != self.lastHeartbeat ? silenceStart : nil
        self.stale =
            info.status == .inProgress
            && silenceStart.map { policy.heartbeatIsStale(lastPing: $0, now: now) } ?? true
        self.queueTimedOut =
            info.status == .queued
            && info.meta.timeQueued.map { policy.queueHasTimedOut(queuedAt: $0, now: now) } ?? true
    }

    var jobMissing: Bool { self.job == nil }
    var jobFailed: Bool { self.jobRecordedFailed || self.holderReplaced }

    /// Whether the job ended after a cancel request: confirmed, never started, or ended another way.
    var cancelled: Bool {
        guard self.cancelRequested else { return false }
        return self.cancelConfirmed || self.neverClaimed || self.leaseExpired || self.stale || self.jobFailed
            || self.jobMissing
    }

    /// The matching rules in precedence order.
    var matchedReasons: [TerminationReason] {
        var reasons: [TerminationReason] = []
        if self.cancelled { reasons.append(.cancelled) }
        if self.jobMissing { reasons.append(.jobMissing) }
        if self.jobFailed { reasons.append(.jobFailed) }
        if self.stale { reasons.append(.heartbeatTimeout) }
        if self.queueTimedOut { reasons.append(.queueTimeout) }
        return reasons
    }
}
