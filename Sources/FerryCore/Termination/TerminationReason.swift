/// Why the server, rather than the worker, ended a sync (docs/CONTRACT.md §3.4, `ferry.v1.TerminationReason`).
public enum TerminationReason: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// `inProgress` with no heartbeat for longer than `staleAfter`.
    case heartbeatTimeout = "HEARTBEAT_TIMEOUT"
    /// `queued` or `inProgress`, but the job is no longer in the queue.
    case jobMissing = "JOB_MISSING"
    /// The job is recorded as failed or lost (e.g. its worker came back as a new process), but the
    /// storage was never updated.
    case jobFailed = "JOB_FAILED"
    /// `queued` for longer than `queuedTimeout` without a worker claiming it.
    case queueTimeout = "QUEUE_TIMEOUT"
    /// A cancel was requested, and the worker confirmed or the job ended without it.
    case cancelled = "CANCELLED"

    /// The wire name, e.g. `HEARTBEAT_TIMEOUT` (the proto value without its
    /// `TERMINATION_REASON_` prefix).
    public var wireName: String { self.rawValue }

    /// The wire name.
    public var description: String { self.rawValue }
}
