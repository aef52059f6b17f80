/// A claim on a job: every worker write carries it (`ferry.v1.JobLease`).
///
/// The store checks it inside the same transaction as the write it guards, so a write under a
/// lease that is no longer current changes nothing.
public struct JobLease: Sendable, Hashable, CustomStringConvertible {
    /// The job id.
    public var jobID: String
    /// The token handed out with the claim.
    public var token: String

    /// Creates a lease.
    ///
    /// - Parameters:
    ///   - jobID: The job id.
    ///   - token: The token handed out with the claim.
    public init(jobID: String, token: String) {
        self.jobID = jobID
        self.token = token
    }

    /// `JobLease(job: ID)`; the token is left out of logs.
    public var description: String {
        "JobLease(job: \(self.jobID))"
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
