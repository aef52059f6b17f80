public import FerryCore
import FerryProto
public import FerryRPC
public import FerryStore
public import Logging
import Synchronization

/// `ferry.v1.WorkerService`: what sync workers call to claim jobs, report progress and hand over
/// results. Every call that touches a job carries its lease; a lease that is no longer current is
/// refused with `FAILED_PRECONDITION` and the `ferry-lease: not-current` trailer, so a zombie
/// worker can never change a verdict or add a task.
public struct WorkerService: RPCService {
    let store: LeaseCachingStore
    let policy: TerminationPolicy
    let instances: WorkerInstances
    let clock: any FerryClock
    let logger: Logger
    let heartbeats: HeartbeatLedger
    let enforcer: TerminationEnforcer
    let arrivals: Wakeup
    let probes: ProbeBoard
    let progress: ProgressWriter
    let draining = DrainSignal()

    /// Creates the service.
    ///
    /// - Parameters:
    ///   - store: The state store, through the lease cache shared with the storage service and
    ///     the enforcer.
    ///   - policy: The ping interval workers must keep, and the stale-after they are told.
    ///   - instances: The worker processes connected now, shared with the storage service.
    ///   - heartbeats: The newest heartbeat of each job, shared with the enforcer.
    ///   - enforcer: Termination detection, applied when a silent worker calls again.
    ///   - arrivals: Woken by the storage service when a sync is queued.
    ///   - probes: Connection checks waiting for a worker; AcquireJob hands them out.
    ///   - clock: The server's clock.
    ///   - logger: Where to log.
    public init(
        store: LeaseCachingStore,
        policy: TerminationPolicy,
        instances: WorkerInstances,
        heartbeats: HeartbeatLedger,
        enforcer: TerminationEnforcer,
        arrivals: Wakeup,
        probes: ProbeBoard,
        clock: any FerryClock,
        logger: Logger
    ) {
        self.probes = probes
        self.store = store
        self.policy = policy
        self.instances = instances
        self.heartbeats = heartbeats
        self.enforcer = enforcer
        self.arrivals = arrivals
        // A ping interval of 10 s gathers progress for 50 ms: nothing that reads it (ListStorages,
        // the termination rules, whose thresholds are whole intervals) can tell.
        self.progress = ProgressWriter(
            store: store, sweepPeriod: .microseconds(max(1_000, policy.pingInterval.microseconds / 50)),
            gatherWindow: .microseconds(min(50_000, policy.pingInterval.microseconds / 200)),
            logger: logger)
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
        router.registerUnary(Methods.reportProbe, deserializer: .init(), serializer: .init(), handler: reportProbe)
        router.registerUnary(Methods.checkImportKeys, deserializer: .init(), serializer: .init(), handler: checkKeys)
        router.registerUnary(Methods.submitImportBatch, deserializer: .init(), serializer: .init(), handler: submit)
        router.registerUnary(
            Methods.fetchExportBatch, deserializer: .init(), serializer: .init(), handler: fetchExportBatch)
        router.registerUnary(Methods.ackExportBatch, deserializer: .init(), serializer: .init(), handler: ackExportBatch)
        router.registerUnary(
            Methods.upsertDatasetObjects, deserializer: .init(), serializer: .init(), handler: upsertDatasetObjects)
        router.registerUnary(
            Methods.completeDatasetScan, deserializer: .init(), serializer: .init(), handler: completeDatasetScan)
        router.registerBidirectional(
            Methods.heartbeat,
            deserializer: ProtobufDeserializer<FerryV1.HeartbeatRequest>(),
            serializer: ProtobufSerializer<FerryV1.HeartbeatResponse>(),
            handler: heartbeat
        )
        // A heartbeat is answered from memory (see `heartbeat`); the store work it causes runs
        // elsewhere, so its stream can live on its connection's loop.
        router.runOnConnectionLoop(Methods.heartbeat)
    }

    /// The worker making the current call: its certificate's name.
    func callingWorker() throws -> String {
        let principal = try Principal.required()
        guard principal.role == .worker else {
            throw RPCError(code: .permissionDenied, message: "Only workers may call the worker service")
        }
        return principal.name
    }
}
