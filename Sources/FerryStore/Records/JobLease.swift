/// A claim on a job, and who presents it: every worker write carries it (`ferry.v1.JobLease`).
///
/// The store checks it inside the same transaction as the write it guards, so a write under a
/// lease that is no longer current changes nothing, and a lease presented by any worker process
/// other than the one that claimed it is refused even with the right token.
public struct JobLease: Sendable, Hashable, CustomStringConvertible {
    /// The job id.
    public var jobID: String
    /// The token handed out with the claim.
    public var token: String
    /// The worker id: the claimant's, or the caller's (its certificate's name).
    public var workerID: String
    /// The worker's process instance: the claimant's, or the caller's.
    public var instanceID: String

    /// Creates a lease.
    ///
    /// - Parameters:
    ///   - jobID: The job id.
    ///   - token: The token handed out with the claim.
    ///   - workerID: The worker id that claimed it, or that presents it.
    ///   - instanceID: The worker process instance that claimed it, or that presents it.
    public init(jobID: String, token: String, workerID: String, instanceID: String) {
        self.jobID = jobID
        self.token = token
        self.workerID = workerID
        self.instanceID = instanceID
    }

    /// Whether `other` is presented by the same worker process as this one.
    public func isHeld(byHolderOf other: JobLease) -> Bool {
        self.workerID == other.workerID && self.instanceID == other.instanceID
    }

    /// `JobLease(job: ID, worker: W, instance: I)`; the token is left out of logs.
    public var description: String {
        "JobLease(job: \(self.jobID), worker: \(self.workerID), instance: \(self.instanceID))"
    }
}

/// Whether a lease may still write (`ferry.v1.LeaseStatus` without `expired`, which the server
/// decides from heartbeat times).
public enum LeaseState: Sendable, Hashable, CustomStringConvertible {
    /// The job is running under this lease; writes are accepted.
    case active
    /// The job exists and this was its lease, but it is settled (succeeded, failed, lost,
    /// cancelled); nothing more is accepted.
    case settled(JobState)
    /// No such job (deleted, purged, or its storage deleted), or the token never belonged to it.
    case unknown

    /// Whether writes under the lease are accepted.
    public var isActive: Bool {
        if case .active = self { return true }
        return false
    }

    /// `active`, `settled(failed)` or `unknown`.
    public var description: String {
        switch self {
        case .active: "active"
        case .settled(let state): "settled(\(state))"
        case .unknown: "unknown"
        }
    }
}
