public import FerryCore
import Synchronization

/// Which workers are connected: seen on a worker call within the stale-after window.
///
/// Kept in memory, per server process; a ListStorages reply carries the count so that
/// "queued, and no worker is alive" is visible at once.
public final class WorkerPresence: Sendable {
    private let lastSeen = Mutex<[String: FerryTime]>([:])
    private let window: FerryDuration

    /// Creates the registry.
    ///
    /// - Parameter window: How long after its last call a worker still counts as connected.
    public init(window: FerryDuration) {
        self.window = window
    }

    /// Records that a worker made a call.
    ///
    /// - Parameters:
    ///   - workerID: The worker id.
    ///   - now: The time of the call.
    public func saw(_ workerID: String, at now: FerryTime) {
        lastSeen.withLock { $0[workerID] = now }
    }

    /// The number of workers seen within the window.
    ///
    /// - Parameter now: The current time.
    /// - Returns: The count.
    public func connectedCount(at now: FerryTime) -> Int {
        lastSeen.withLock { seen in
            seen = seen.filter { now - $0.value <= window }
            return seen.count
        }
    }
}
