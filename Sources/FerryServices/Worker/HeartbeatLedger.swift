public import FerryCore
import Synchronization

/// This server process's memory of each running job's heartbeats: when the newest one arrived and
/// when one was last written to the store.
///
/// Writes are coalesced to at most one per job per ping interval, so the stored `time_last_ping`
/// can trail the newest acknowledged heartbeat; termination detection reads the newest one from
/// here (``evidence(jobID:)``), so a verdict is never passed while a heartbeat newer than the
/// stored one is known. The ledger also knows when this process started: before it has heard from
/// a job, a stored ping older than the start counts from the start, because the previous process
/// may have acknowledged a heartbeat it never wrote.
public final class HeartbeatLedger: Sendable {
    private struct Entry {
        var received: FerryTime
        var persisted: FerryTime?
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

    /// Records a claim, which the store stamps as the job's first sign of life.
    func claimed(jobID: String, at now: FerryTime) {
        entries.withLock { $0[jobID] = Entry(received: now, persisted: now) }
    }

    /// Records a heartbeat and decides whether to write it: the first one this process hears for
    /// the job, and then at most one per ping interval.
    ///
    /// - Returns: Whether the caller should persist this heartbeat.
    func received(jobID: String, at now: FerryTime) -> Bool {
        entries.withLock { entries in
            var entry = entries[jobID] ?? Entry(received: now, persisted: nil)
            entry.received = max(entry.received, now)
            let persist = policy.shouldPersistPing(lastPersisted: entry.persisted, now: now)
            if persist { entry.persisted = now }
            entries[jobID] = entry
            return persist
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
