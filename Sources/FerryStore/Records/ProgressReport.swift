public import FerryCore

/// One heartbeat's progress, as ``FerryStore/recordProgress(_:)`` writes several at once.
public struct ProgressReport: Sendable, Hashable {
    /// The job's lease.
    public var lease: JobLease
    /// Cumulative progress.
    public var counters: SyncCounters
    /// Where the sync got to; `nil` keeps the stored one.
    public var checkpoint: SyncCheckpoint?
    /// When the server received the heartbeat.
    public var time: FerryTime

    /// Creates a report.
    ///
    /// - Parameters:
    ///   - lease: The job's lease.
    ///   - counters: Cumulative progress.
    ///   - checkpoint: Where the sync got to, if reported.
    ///   - time: When the heartbeat arrived.
    public init(lease: JobLease, counters: SyncCounters, checkpoint: SyncCheckpoint?, time: FerryTime) {
        self.lease = lease
        self.counters = counters
        self.checkpoint = checkpoint
        self.time = time
    }
}
