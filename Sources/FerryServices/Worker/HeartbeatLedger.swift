public import FerryCore
import Synchronization

/// This server process's memory of each running job's heartbeats: when the newest one arrived and
/// when one was last written to the store.
///
/// Writes are coalesced to at most one per job per ping interval: a job's first heartbeat is
/// written at once, a later one at once if an interval has passed since the last write, and
/// otherwise when that interval ends (``PingWrite/at(_:)``), so the store never trails an
/// acknowledged heartbeat by more than one interval. Meanwhile the stored `time_last_ping` can
/// trail the newest acknowledged heartbeat; termination detection reads the newest one from
/// here (``evidence(jobID:)``), so a verdict is never passed while a heartbeat newer than the
/// stored one is known. The ledger also knows when this process started: before it has heard from
/// a job, a stored ping older than the start counts from the start, because the previous process
/// may have acknowledged a heartbeat it never wrote.
public final class HeartbeatLedger: Sendable {
    private struct Entry {
        var received: FerryTime
        /// When the job's progress was last written, or will be (a coalesced heartbeat's slot).
        var written: FerryTime?
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let policy: TerminationPolicy
    /// When this server process started.
    public let startedAt: FerryTime

    /// Creates an empty ledger.
    ///
    /// - Parameters:
    ///   - policy: The ping interval that bounds how often a ping is written.
    ///   - startedAt: When this server process started.
    public init(policy: TerminationPolicy, startedAt: FerryTime) {
        self.policy = policy
        self.startedAt = startedAt
    }

    /// When a heartbeat's progress is written.
    enum PingWrite: Equatable {
        /// Now.
        case now
        /// When the current interval ends, unless a newer heartbeat is written first.
        case at(FerryTime)
    }

    /// Records a claim, which the store stamps as the job's first sign of life.
    func claimed(jobID: String, at now: FerryTime) {
        entries.withLock { $0[jobID] = Entry(received: now, written: nil) }
    }

    /// Records a heartbeat and decides when to write it: the job's first one at once, then at
    /// most one write per ping interval, a coalesced heartbeat in the next free slot (never more
    /// than one interval away).
    ///
    /// - Returns: When the caller should persist this heartbeat's progress.
    func received(jobID: String, at now: FerryTime) -> PingWrite {
        entries.withLock { entries in
            var entry = entries[jobID] ?? Entry(received: now, written: nil)
            entry.received = max(entry.received, now)
            defer { entries[jobID] = entry }
            guard let written = entry.written, !policy.shouldPersistPing(lastPersisted: written, now: now) else {
                entry.written = now
                return .now
            }
            if written > now { return .at(written) }  // Joins the write already waiting.
            entry.written = written + policy.pingInterval
            return .at(written + policy.pingInterval)
        }
    }

    /// Whether the job was silent for longer than stale-after before `now`, as far as this process
    /// heard; `nil` when it has heard nothing from the job (ask the store).
    func wasSilent(jobID: String, before now: FerryTime) -> Bool? {
        entries.withLock { $0[jobID] }.map { policy.heartbeatIsStale(lastPing: $0.received, now: now) }
    }

    /// What detection should know about the job's heartbeats beyond the store.
    ///
    /// - Parameter jobID: The job, if the storage names one.
    /// - Returns: The newest heartbeat heard and this process's start.
    public func evidence(jobID: String?) -> HeartbeatEvidence {
        let received = jobID.flatMap { id in entries.withLock { $0[id]?.received } }
        return HeartbeatEvidence(lastReceived: received, serverStartedAt: startedAt)
    }

    /// Forgets a job that has ended.
    ///
    /// - Parameter jobID: The job.
    public func forget(jobID: String) {
        _ = entries.withLock { $0.removeValue(forKey: jobID) }
    }
}
