/// What the server knows about a storage's current job when it runs termination detection: the
/// job's row in the queue and the worker registry, or the fact that there is none.
public enum JobObservation: Sendable, Hashable {
    /// The queue has no job with the storage's `lastSyncJob` id (deleted, purged, lost).
    case missing
    /// The queue holds the job.
    case present(ObservedJob)
}

/// A job as the queue records it, at the moment of detection.
public struct ObservedJob: Sendable, Hashable {
    /// The state of a job in the queue.
    public enum State: String, Sendable, Hashable, CaseIterable {
        /// Waiting for a worker.
        case queued
        /// Claimed; a worker holds its lease.
        case running
        /// Recorded as failed (e.g. its worker died and was detected by the queue).
        case failed
        /// Recorded as lost (e.g. its worker registered as a new process while holding it).
        case lost
        /// A cancel was requested; the worker has not confirmed yet.
        case cancelRequested
        /// The worker confirmed the cancel.
        case cancelled
    }

    /// The job id; detection treats a job whose id is not the storage's `lastSyncJob` as missing.
    public var jobID: String
    /// The job's state in the queue.
    public var state: State
    /// The current claim, if the job was ever claimed.
    public var lease: ObservedLease?
    /// When a cancel was requested, if ever.
    public var cancelRequestedAt: FerryTime?
    /// Why the cancel was requested and by whom, as recorded with the request.
    public var cancelReason: String?

    /// Creates an observation of a job.
    ///
    /// - Parameters:
    ///   - jobID: The job id.
    ///   - state: The job's state in the queue.
    ///   - lease: The current claim, if any.
    ///   - cancelRequestedAt: When a cancel was requested, if ever.
    ///   - cancelReason: Why, and by whom, if recorded.
    public init(
        jobID: String,
        state: State,
        lease: ObservedLease? = nil,
        cancelRequestedAt: FerryTime? = nil,
        cancelReason: String? = nil
    ) {
        self.jobID = jobID
        self.state = state
        self.lease = lease
        self.cancelRequestedAt = cancelRequestedAt
        self.cancelReason = cancelReason
    }
}

/// A claim on a job, with what the worker registry says about its holder.
public struct ObservedLease: Sendable, Hashable {
    /// The holder's stable worker id.
    public var workerID: String
    /// The holder's process instance.
    public var instanceID: String
    /// Whether that instance is still the current instance of its worker id. `false` once the
    /// worker registered again as a new process: the process that held the lease is gone.
    public var holderIsCurrentInstance: Bool
    /// When the lease expires without another heartbeat, if the queue keeps an expiry.
    public var expiresAt: FerryTime?

    /// Creates an observation of a lease.
    ///
    /// - Parameters:
    ///   - workerID: The holder's worker id.
    ///   - instanceID: The holder's process instance.
    ///   - holderIsCurrentInstance: Whether that instance is still its worker's current one.
    ///   - expiresAt: When the lease expires, if known.
    public init(workerID: String, instanceID: String, holderIsCurrentInstance: Bool = true, expiresAt: FerryTime? = nil)
    {
        self.workerID = workerID
        self.instanceID = instanceID
        self.holderIsCurrentInstance = holderIsCurrentInstance
        self.expiresAt = expiresAt
    }
}
