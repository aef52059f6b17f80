public import FerryCore
import FerryProto
public import FerryRPC
public import FerryStore
public import Logging
public import ServiceLifecycle

/// The RPC services of a Ferry server, wired to one store and sharing their in-memory state
/// (connected workers, current leases), so that `ferryd` and tests assemble the same server.
public struct FerryServiceSet: Sendable {
    /// Every service, health included.
    public let services: [any RPCService]
    /// The worker service, whose queued progress must be written before the store closes.
    public let workers: WorkerService
    /// Component statuses reported by the health service.
    public let health: HealthStatusBoard
    private let leases: LeaseCachingStore
    private let arrivals: Wakeup
    private let instances: WorkerInstances
    private let clock: any FerryClock
    private let enforcer: TerminationEnforcer
    private let pingInterval: Duration
    private let watchHub: StorageWatchHub

    /// Wires the services.
    ///
    /// - Parameters:
    ///   - store: The state store.
    ///   - policy: Heartbeat timing and termination thresholds.
    ///   - validator: Checks storage settings.
    ///   - clock: The server's clock.
    ///   - logger: Where to log.
    public init(
        store: any FerryStore,
        policy: TerminationPolicy,
        validator: StorageValidator,
        clock: any FerryClock,
        logger: Logger
    ) {
        let instances = WorkerInstances(clock: clock)
        let heartbeats = HeartbeatLedger(policy: policy, startedAt: clock.now())
        let watchHub = StorageWatchHub()
        let store = LeaseCachingStore(
            store, onJobEnded: { heartbeats.forget(jobID: $0) }, onTouch: { watchHub.touch($0) })
        let enforcer = TerminationEnforcer(
            store: store, policy: policy, clock: clock, heartbeats: heartbeats, workers: instances, logger: logger)
        let health = HealthStatusBoard()
        let arrivals = Wakeup()
        let probes = ProbeBoard(posted: arrivals)
        let workers = WorkerService(
            store: store, policy: policy, instances: instances, heartbeats: heartbeats,
            enforcer: enforcer, arrivals: arrivals, probes: probes, clock: clock, logger: logger)
        let storages = StorageService(
            store: store, validator: validator, enforcer: enforcer, workers: instances,
            arrivals: arrivals, probes: probes, watchHub: watchHub,
            watchInterval: .microseconds(policy.pingInterval.microseconds), clock: clock, logger: logger)
        health.setStatus(.serving, for: FerryV1.Methods.StorageService.service)
        health.setStatus(.serving, for: FerryV1.Methods.WorkerService.service)
        self.services = [HealthService(board: health), storages, workers]
        self.workers = workers
        self.health = health
        self.leases = store
        self.arrivals = arrivals
        self.instances = instances
        self.clock = clock
        self.enforcer = enforcer
        self.pingInterval = .microseconds(policy.pingInterval.microseconds)
        self.watchHub = watchHub
    }

    /// A service that applies termination detection to every active storage once per ping
    /// interval, so no sync waits for a reader to be settled.
    ///
    /// - Parameter logger: Where a failed sweep is logged.
    /// - Returns: The service.
    public func terminationSweep(logger: Logger) -> some Service {
        TerminationSweep(enforcer: enforcer, interval: pingInterval, logger: logger)
    }

    /// A service that samples the state gauges of `/metrics` (storages by kind, provider and
    /// status; the queue; connected workers) once per ping interval.
    ///
    /// - Parameter logger: Where a failed sample is logged.
    /// - Returns: The service.
    public func statisticsSampler(logger: Logger) -> some Service {
        StatisticsSampler(store: leases, instances: instances, clock: clock, interval: pingInterval, logger: logger)
    }

    /// Acts on a change another server replica made to the shared database: a queued sync wakes
    /// waiting AcquireJob calls, and cancels and settled jobs reach the lease cache, so the next
    /// heartbeat of an affected job is answered from the truth; open watches read what changed.
    /// While the database cannot be reached, health says `NOT_SERVING`.
    @Sendable public func follow(_ change: StoreChange) {
        leases.apply(change)
        switch change {
        case .syncQueued:
            arrivals.wake()
            watchHub.touch(.unknown)
        case .feedResumed:
            health.setDatabaseReachable(true)
            arrivals.wake()
            watchHub.touch(.unknown)
        case .feedLost: health.setDatabaseReachable(false)
        case .cancelRequested(let jobID), .jobEnded(let jobID): watchHub.touch(.job(jobID))
        }
    }

    /// Graceful shutdown began: health says `NOT_SERVING` and AcquireJob long-polls end at once,
    /// and watches end with UNAVAILABLE (their clients watch again elsewhere), so only calls that
    /// are really working hold the shutdown for the grace period.
    @Sendable public func beginShutdown() {
        health.markAllNotServing()
        workers.beginDraining()
        watchHub.close()
    }
}
