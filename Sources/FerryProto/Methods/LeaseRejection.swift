public import FerryRPC

/// How the server marks a refused lease, so a worker can tell "stop this job" from other
/// failures: status `FAILED_PRECONDITION` with this trailing metadata (see docs/PROTOCOL.md).
public enum LeaseRejection {
    /// The trailing-metadata key carried by every lease rejection.
    public static let metadataKey = "ferry-lease"
    /// Its value: the lease is settled, cancelled, deleted or superseded.
    public static let notCurrent = "not-current"
}

extension RPCError {
    /// Whether the server refused the call because the job's lease is no longer current.
    public var isLeaseRejection: Bool {
        code == .failedPrecondition && metadata[LeaseRejection.metadataKey] == LeaseRejection.notCurrent
    }
}
