import FerryStore
import Synchronization

/// The leases this server knows to be current, so that most heartbeats are answered from
/// memory instead of the database.
///
/// Every path that settles or removes a job on this server invalidates its entry (verdicts,
/// completions, cancels, purges, deletions, a worker's restart), and every persisted write is
/// still fenced by the store, which invalidates the entry when it finds the lease gone. A lease
/// not in the cache is checked against the store.
public final class LeaseCache: Sendable {
    private struct Entry {
        var lease: JobLease
        var cancelRequested: Bool
    }

    private let entries = Mutex<[String: Entry]>([:])

    /// Creates an empty cache.
    public init() {}

    /// Records a lease as current.
    func activate(_ lease: JobLease, cancelRequested: Bool = false) {
        entries.withLock { $0[lease.jobID] = Entry(lease: lease, cancelRequested: cancelRequested) }
    }

    /// Whether a cancel was requested for a current lease; `nil` when the lease is not known current
    /// or is presented by a worker process other than its holder (the store then decides).
    func cancelRequested(for lease: JobLease) -> Bool? {
        entries.withLock { entries in
            guard let entry = entries[lease.jobID], entry.lease == lease else { return nil }
            return entry.cancelRequested
        }
    }

    /// Notes a cancel request, which the job's next heartbeat reply carries.
    ///
    /// - Parameter jobID: The job.
    public func requestCancel(jobID: String) {
        entries.withLock { $0[jobID]?.cancelRequested = true }
    }

    /// Forgets a job whose lease is no longer current.
    ///
    /// - Parameter jobID: The job.
    public func invalidate(jobID: String) {
        _ = entries.withLock { $0.removeValue(forKey: jobID) }
    }
}
