/// Where a sync job stands in the queue.
///
/// `queued → running → succeeded | failed | cancelled`, and `running → lost` when its worker
/// registers again as a new process. Termination verdicts settle a queued or running job as
/// `failed`, `lost` or `cancelled` (see ``FerryStore/applyVerdict(storageID:expectedJobID:newInfo:)``).
public enum JobState: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Waiting for a worker to claim it.
    case queued
    /// Claimed: a worker holds its lease and sends heartbeats.
    case running
    /// The worker reported `completed` or `completed_with_errors`.
    case succeeded
    /// The worker reported a failure, or termination detection failed it.
    case failed
    /// Its worker came back as a new process while holding it; the process that held the lease is
    /// gone.
    case lost
    /// The worker confirmed a cancel, or detection settled a cancelled job.
    case cancelled

    /// Whether the job is still waiting or running: its lease (if any) may still write.
    public var isActive: Bool {
        self == .queued || self == .running
    }

    /// The lowercase name stored in the database and shown in logs.
    public var description: String { self.rawValue }
}
