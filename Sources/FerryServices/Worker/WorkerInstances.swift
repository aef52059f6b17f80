import FerryCore
import Synchronization

/// The worker processes this server knows: each worker id's current instance, and which instances
/// have a call open right now (an AcquireJob long-poll, a heartbeat stream, a batch).
///
/// A worker process always has a call open while it runs: it long-polls AcquireJob whenever it
/// has a free slot and keeps a heartbeat stream open for every job it runs. So an instance with
/// an open call is alive, and a second process that registers under its worker id is a
/// misconfigured copy: it is refused rather than allowed to take the id (which would fail the live
/// one's jobs, and then the copy's, forever). Once the old process's connection is gone (its calls
/// end with it), a new instance takes over and the old one's jobs fail at once.
///
/// It is also the server's answer to "how many workers are connected" (the worker ids with a call
/// open right now) and to "can any of them run this storage": each instance's offer (the kinds
/// and providers of its last AcquireJob) is kept while the instance is connected, and for a short
/// grace after its last call ended, so that the gap between a job's end and the next AcquireJob
/// does not make a storage look unservable.
public final class WorkerInstances: Sendable {
    /// What registering an instance found.
    enum Registration: Equatable {
        /// The instance is already its worker id's current one.
        case current
        /// The instance is new for its worker id and is now the current one.
        case replaced
        /// Another instance of the worker id is alive; this one is refused.
        case refused(liveInstance: String)
    }

    /// The kinds and providers one worker process can run.
    struct Offer: Sendable, Equatable {
        var kinds: Set<StorageKind>
        var providers: Set<StorageProvider>
    }

    private struct Worker {
        var current: String?
        var openCalls: [String: Int] = [:]
        var offers: [String: Offer] = [:]
        /// When each instance's last open call ended (absent while one is open).
        var idleSince: [String: ContinuousClock.Instant] = [:]
    }

    private let workers = Mutex<[String: Worker]>([:])
    private let offerGrace: Duration

    /// Creates an empty registry.
    ///
    /// - Parameter offerGrace: How long an instance's offer still counts after its last call ended.
    public init(offerGrace: Duration = .seconds(5)) {
        self.offerGrace = offerGrace
    }

    /// Records what an instance can run (from its AcquireJob capabilities).
    func record(_ offer: Offer, workerID: String, instanceID: String) {
        workers.withLock { workers in
            workers[workerID, default: Worker()].offers[instanceID] = offer
        }
    }

    /// Why a job of `kind` on `provider` cannot be claimed now ("no connected worker offers s3
    /// import"), or `nil` when a connected worker offers both.
    func waitingReason(kind: StorageKind, provider: StorageProvider) -> String? {
        isOffered(kind: kind, provider: provider) ? nil : "no connected worker offers \(provider) \(kind)"
    }

    /// Whether a connected instance (or one whose last call ended within the grace) offers
    /// `provider` and, unless it is `nil`, `kind`.
    func isOffered(kind: StorageKind?, provider: StorageProvider, now: ContinuousClock.Instant = .now) -> Bool {
        workers.withLock { workers in
            workers.values.contains { worker in
                worker.offers.contains { instance, offer in
                    guard kind.map(offer.kinds.contains) ?? true, offer.providers.contains(provider) else { return false }
                    if worker.openCalls[instance] != nil { return true }
                    guard let idle = worker.idleSince[instance] else { return false }
                    return now - idle < offerGrace
                }
            }
        }
    }

    /// The number of worker ids with a call open to this server now.
    public var connectedCount: Int {
        workers.withLock { $0.values.count { !$0.openCalls.isEmpty } }
    }

    /// Registers `instanceID` as its worker id's current process unless another instance of the
    /// id has a call open.
    func register(workerID: String, instanceID: String) -> Registration {
        workers.withLock { workers in
            var worker = workers[workerID] ?? Worker()
            if worker.current == instanceID { return .current }
            if let live = worker.openCalls.keys.sorted().first(where: { $0 != instanceID }) {
                return .refused(liveInstance: live)
            }
            worker.current = instanceID
            workers[workerID] = worker
            return .replaced
        }
    }

    /// Runs `body` as an open call of the instance.
    func withOpenCall<Result>(
        workerID: String,
        instanceID: String,
        _ body: () async throws -> Result
    ) async rethrows -> Result {
        change(workerID: workerID, instanceID: instanceID, by: 1)
        defer { change(workerID: workerID, instanceID: instanceID, by: -1) }
        return try await body()
    }

    private func change(workerID: String, instanceID: String, by delta: Int) {
        workers.withLock { workers in
            var worker = workers[workerID] ?? Worker()
            let count = worker.openCalls[instanceID, default: 0] + delta
            worker.openCalls[instanceID] = count > 0 ? count : nil
            worker.idleSince[instanceID] = count > 0 ? nil : .now
            // Offers of instances idle past the grace are forgotten, so the map stays bounded.
            let now = ContinuousClock.now
            for (instance, idle) in worker.idleSince where now - idle >= offerGrace {
                worker.idleSince[instance] = nil
                worker.offers[instance] = nil
            }
            workers[workerID] = worker.current == nil && worker.openCalls.isEmpty && worker.offers.isEmpty ? nil : worker
        }
    }
}
