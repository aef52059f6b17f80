public import FerryCore
public import FerryProto
public import FerryRPC
public import FerryStore
public import Logging
import Synchronization

/// `ferry.v1.WorkerService`: what sync workers call to claim jobs, report progress and hand over
/// results. Every call that touches a job carries its lease; a lease that is no longer current is
/// refused with `FAILED_PRECONDITION` and the `ferry-lease: not-current` trailer, so a zombie
/// worker can never change a verdict or add a task.
public struct WorkerService: RPCService {
    let store: any FerryStore
    let policy: TerminationPolicy
    let presence: WorkerPresence
    let clock: any FerryClock
    let logger: Logger
    let leases: LeaseCache
    let arrivals: Wakeup
    let progress: ProgressWriter
    let registeredInstances = RegisteredInstances()
    let pings = PingCoalescer()
    let draining = DrainSignal()

    /// Creates the service.
    ///
    /// - Parameters:
    ///   - store: The state store.
    ///   - policy: The ping interval workers must keep, and the stale-after they are told.
    ///   - presence: Where worker calls are recorded.
    ///   - leases: The current leases, shared with the storage service and the enforcer.
    ///   - arrivals: Woken by the storage service when a sync is queued.
    ///   - clock: The server's clock.
    ///   - logger: Where to log.
    public init(
        store: any FerryStore,
        policy: TerminationPolicy,
        presence: WorkerPresence,
        leases: LeaseCache,
        arrivals: Wakeup,
        clock: any FerryClock,
        logger: Logger
    ) {
        self.store = store
        self.policy = policy
        self.presence = presence
        self.leases = leases
        self.arrivals = arrivals
        self.progress = ProgressWriter(store: store, leases: leases, logger: logger)
        self.clock = clock
        self.logger = logger
    }

    /// Graceful shutdown began: AcquireJob long-polls end at once with `UNAVAILABLE`.
    public func beginDraining() {
        draining.begin()
        arrivals.wake()
    }

    /// Writes the heartbeat progress still queued; call before the store closes.
    public func flushPendingProgress() async {
        await progress.flush()
    }

    public func registerMethods(with router: inout RPCRouter) {
        typealias Methods = FerryV1.Methods.WorkerService
        router.registerUnary(Methods.acquireJob, deserializer: .init(), serializer: .init(), handler: acquireJob)
        router.registerUnary(Methods.checkImportKeys, deserializer: .init(), serializer: .init(), handler: checkKeys)
        router.registerUnary(Methods.submitImportBatch, deserializer: .init(), serializer: .init(), handler: submit)
        router.registerBidirectional(
            Methods.heartbeat,
            deserializer: ProtobufDeserializer<FerryV1.HeartbeatRequest>(),
            serializer: ProtobufSerializer<FerryV1.HeartbeatResponse>(),
            handler: heartbeat
        )
    }

    /// The worker making the current call: its certificate's name.
    func callingWorker() throws -> String {
        let principal = try Principal.required()
        guard principal.role == .worker else {
            throw RPCError(code: .permissionDenied, message: "Only workers may call the worker service")
        }
        presence.saw(principal.name, at: clock.now())
        return principal.name
    }
}

/// The process instance each worker id last registered, so that registration (which fails the
/// jobs of a previous instance) is written once per instance, not on every poll.
final class RegisteredInstances: Sendable {
    private let instances = Mutex<[String: String]>([:])

    /// Records an instance; returns whether it is new for its worker id.
    func record(workerID: String, instanceID: String) -> Bool {
        instances.withLock { $0.updateValue(instanceID, forKey: workerID) != instanceID }
    }
}

/// Decides which heartbeats are persisted: at most one per job per ping interval.
final class PingCoalescer: Sendable {
    private let lastPersisted = Mutex<[String: FerryTime]>([:])

    /// Whether a ping for `jobID` at `now` should be written; records it if so.
    func shouldPersist(jobID: String, now: FerryTime, interval: FerryDuration) -> Bool {
        lastPersisted.withLock { map in
            if let last = map[jobID], now - last < interval { return false }
            map[jobID] = now
            return true
        }
    }

    /// Forgets a job that has ended.
    func forget(jobID: String) {
        _ = lastPersisted.withLock { $0.removeValue(forKey: jobID) }
    }
}
