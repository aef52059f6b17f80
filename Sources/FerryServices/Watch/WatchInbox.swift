import FerryStore
import Synchronization

/// One WatchStorages call's pending work: the storages touched since it last looked, coalesced,
/// and whether its ping-interval tick is due. Posting never blocks and never grows without bound:
/// past ``maxPendingStorages`` distinct storages the call simply reads everything again.
final class WatchInbox: Sendable {
    /// What the call has to look at.
    struct Work: Sendable, Equatable {
        /// Storages touched by id.
        var storageIDs: Set<Int64> = []
        /// Storages touched through their sync job's id.
        var jobIDs: Set<String> = []
        /// Something changed that names no storage: read everything followed again.
        var everything = false
        /// The ping interval passed: progress may be sent and active storages are read again.
        var tick = false

        /// Whether there is nothing to do.
        var isEmpty: Bool { storageIDs.isEmpty && jobIDs.isEmpty && !everything && !tick }
    }

    /// The most distinct touches kept before they collapse into ``Work/everything``.
    static let maxPendingStorages = 4_096

    private let pending = Mutex(Work())
    private let continuation: AsyncStream<Void>.Continuation
    /// Yields (coalesced) whenever work was posted; finishes when the server shuts down.
    let wakeups: AsyncStream<Void>

    init() {
        (wakeups, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Notes a touch and wakes the call.
    func post(_ touch: StorageTouch) {
        pending.withLock { work in
            switch touch {
            case .storage(let id): work.storageIDs.insert(id)
            case .job(let jobID): work.jobIDs.insert(jobID)
            case .unknown: work.everything = true
            }
            if work.storageIDs.count + work.jobIDs.count > Self.maxPendingStorages {
                work = Work(everything: true, tick: work.tick)
            }
        }
        continuation.yield()
    }

    /// Notes that a ping interval passed and wakes the call.
    func postTick() {
        pending.withLock { $0.tick = true }
        continuation.yield()
    }

    /// Takes everything posted so far.
    func take() -> Work {
        pending.withLock { work in
            defer { work = Work() }
            return work
        }
    }

    /// Ends ``wakeups``: the call stops.
    func finish() {
        continuation.finish()
    }
}
