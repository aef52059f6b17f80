public import FerryCore
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

    /// What ListWorkers shows of a worker id's current process.
    struct Presence: Sendable, Equatable {
        var workerID: String
        var instanceID: String
        var version = ""
        /// The address of its newest call.
        var host = ""
        var offer = Offer(kinds: [], providers: [])
        /// Since when it has had calls open without a break; `nil` when none is open (gone).
        var connectedSince: FerryTime?
        /// When a call of its last started or ended.
        var lastSeen: FerryTime
        /// Its open heartbeat streams: the jobs it runs here.
        var heartbeats = 0
    }

    private struct Worker {
        var current: String?
        var openCalls: [String: Int] = [:]
        var offers: [String: Offer] = [:]
        /// When each instance's last open call ended (absent while one is open).
        var idleSince: [String: ContinuousClock.Instant] = [:]
        /// What ListWorkers shows of each instance with calls open, and of the current one.
        var presence: [String: Presence] = [:]
    }

    private let workers = Mutex<[String: Worker]>([:])
    private let offerGrace: Duration
    private let clock: any FerryClock

    /// Creates an empty registry.
    ///
    /// - Parameters:
    ///   - offerGrace: How long an instance's offer still counts after its last call ended.
    ///   - clock: The wall clock for connected-since and last-seen times.
    public init(offerGrace: Duration = .seconds(5), clock: any FerryClock = SystemClock()) {
        self.offerGrace = offerGrace
        self.clock = clock
    }

    /// Records what an instance can run, its version and where it called from (from its
    /// AcquireJob).
    func record(_ offer: Offer, version: String, host: String, workerID: String, instanceID: String) {
        let now = clock.now()
        workers.withLock { workers in
            var worker = workers[workerID, default: Worker()]
            worker.offers[instanceID] = offer
            var presence = worker.presence[instanceID] ?? Presence(workerID: workerID, instanceID: instanceID, lastSeen: now)
            presence.offer = offer
            presence.version = version
            presence.host = host
            worker.presence[instanceID] = presence
            workers[workerID] = worker
        }
    }

    /// Each worker id's current process (or, while it is refused, the live one), connected or
    /// gone, ordered by worker id.
    func presences() -> [Presence] {
        workers.withLock { workers in
            workers.keys.sorted().compactMap { id in
                let worker = workers[id]!
                return worker.current.flatMap { worker.presence[$0] }
            }
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

    /// Runs `body` as an open call of the instance; `heartbeat` counts it as a job it runs.
    func withOpenCall<Result>(
        workerID: String,
        instanceID: String,
        heartbeat: Bool = false,
        _ body: () async throws -> Result
    ) async rethrows -> Result {
        change(workerID: workerID, instanceID: instanceID, by: 1, heartbeat: heartbeat)
        defer { change(workerID: workerID, instanceID: instanceID, by: -1, heartbeat: heartbeat) }
        return try await body()
    }

    private func change(workerID: String, instanceID: String, by delta: Int, heartbeat: Bool) {
        let wallNow = clock.now()
        workers.withLock { workers in
            var worker = workers[workerID] ?? Worker()
            let count = worker.openCalls[instanceID, default: 0] + delta
            worker.openCalls[instanceID] = count > 0 ? count : nil
            worker.idleSince[instanceID] = count > 0 ? nil : .now
            var presence = worker.presence[instanceID] ?? Presence(workerID: workerID, instanceID: instanceID, lastSeen: wallNow)
            presence.lastSeen = wallNow
            presence.connectedSince = count > 0 ? (presence.connectedSince ?? wallNow) : nil
            if heartbeat { presence.heartbeats = max(0, presence.heartbeats + delta) }
            worker.presence[instanceID] = presence
            // Offers of instances idle past the grace are forgotten, so the map stays bounded;
            // so is what ListWorkers shows of them, but for the current instance (shown as gone).
            let now = ContinuousClock.now
            for (instance, idle) in worker.idleSince where now - idle >= offerGrace {
                worker.idleSince[instance] = nil
                worker.offers[instance] = nil
                if instance != worker.current { worker.presence[instance] = nil }
            }
            workers[workerID] =
                worker.current == nil && worker.openCalls.isEmpty && worker.offers.isEmpty && worker.presence.isEmpty
                ? nil : worker
        }
    }
}
