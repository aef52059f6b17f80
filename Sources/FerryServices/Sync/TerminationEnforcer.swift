public import FerryCore
public import FerryStore
public import Logging

/// Applies termination detection to storages as they are read, and persists each verdict once.
///
/// Every reader (ListStorages, GetStorage) runs the same pure detector against the same stored
/// timestamps; the store's compare-and-set lets exactly one of them write the verdict, and the
/// others re-read the settled storage.
public struct TerminationEnforcer: Sendable {
    private let store: any FerryStore
    private let detector: TerminationDetector
    private let clock: any FerryClock
    private let leases: LeaseCache
    private let logger: Logger

    /// Creates an enforcer.
    ///
    /// - Parameters:
    ///   - store: Where storages and verdicts live.
    ///   - policy: The thresholds.
    ///   - clock: The server's clock.
    ///   - leases: The current leases; a verdict makes its job's lease stale at once.
    ///   - logger: Where verdicts are logged.
    public init(
        store: any FerryStore,
        policy: TerminationPolicy,
        clock: any FerryClock,
        leases: LeaseCache,
        logger: Logger
    ) {
        self.store = store
        self.detector = TerminationDetector(policy: policy)
        self.clock = clock
        self.leases = leases
        self.logger = logger
    }

    /// Returns the storage with any termination verdict applied and persisted.
    ///
    /// - Parameters:
    ///   - storage: The storage as read.
    ///   - observation: Its job as read in the same snapshot.
    /// - Returns: The storage as it now stands.
    /// - Throws: Store errors.
    public func enforce(_ storage: Storage, observation: JobObservation) async throws -> Storage {
        guard storage.syncInfo.status.isActive else { return storage }
        let now = clock.now()
        guard let verdict = detector.evaluate(storage.syncInfo, job: observation, now: now) else { return storage }
        let settled: SyncInfo
        do {
            settled = try SyncStatusMachine(storage.syncInfo).terminate(verdict, now: now)
        } catch {
            return storage  // Settled meanwhile by the job itself; nothing to enforce.
        }
        guard let jobID = verdict.jobID else {
            logger.error("An active sync names no job; its row needs repair", metadata: ["storage": "\(storage.id)"])
            return storage
        }
        let written = try await store.applyVerdict(storageID: storage.id, expectedJobID: jobID, newInfo: settled)
        if written {
            leases.invalidate(jobID: jobID)
            logger.warning(
                "Sync terminated",
                metadata: [
                    "storage": "\(storage.id)", "job": "\(jobID)", "reason": "\(verdict.reason.wireName)",
                ]
            )
            var updated = storage
            updated.syncInfo = settled
            return updated
        }
        return try await store.storage(id: storage.id)
    }

    /// Reads one storage with termination detection applied.
    ///
    /// - Parameter id: The storage id.
    /// - Returns: The storage as it now stands.
    /// - Throws: Store errors (`notFound`).
    public func storage(id: Int64) async throws -> Storage {
        let storage = try await store.storage(id: id)
        guard storage.syncInfo.status.isActive else { return storage }
        return try await enforce(storage, observation: try await store.jobObservation(storageID: id))
    }
}
