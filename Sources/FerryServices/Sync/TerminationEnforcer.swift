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
    private let heartbeats: HeartbeatLedger
    private let workers: WorkerInstances
    private let logger: Logger

    /// Creates an enforcer.
    ///
    /// - Parameters:
    ///   - store: Where storages and verdicts live (through the lease cache, so a verdict makes
    ///     its job's lease stale at once).
    ///   - policy: The thresholds.
    ///   - clock: The server's clock.
    ///   - heartbeats: The newest heartbeat this process received for each job, which may be
    ///     newer than the stored one.
    ///   - workers: The connected worker processes; a QUEUE_TIMEOUT traceback says when none of
    ///     them offered the storage's kind and provider.
    ///   - logger: Where verdicts are logged.
    public init(
        store: any FerryStore,
        policy: TerminationPolicy,
        clock: any FerryClock,
        heartbeats: HeartbeatLedger,
        workers: WorkerInstances,
        logger: Logger
    ) {
        self.store = store
        self.detector = TerminationDetector(policy: policy)
        self.clock = clock
        self.heartbeats = heartbeats
        self.workers = workers
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
        try await enforce(storage, observation: observation, attemptsLeft: 3)
    }

    /// One attempt; when the compare-and-set loses to a write that left the sync active (a
    /// heartbeat's progress landing between the read and the verdict), the storage is read and
    /// judged again, so a reader past stale-after always sees the verdict.
    private func enforce(_ storage: Storage, observation: JobObservation, attemptsLeft: Int) async throws -> Storage {
        guard storage.syncInfo.status.isActive else { return storage }
        let now = clock.now()
        let evidence = heartbeats.evidence(jobID: storage.syncInfo.lastSyncJob)
        guard var verdict = detector.evaluate(storage.syncInfo, job: observation, heartbeats: evidence, now: now) else {
            return storage
        }
        if verdict.reason == .queueTimeout,
            let waiting = workers.waitingReason(kind: storage.kind, provider: storage.settings.provider)
        {
            verdict = verdict.noting("waiting", waiting)
        }
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
            ServerMetrics.verdict(verdict.reason)
            logger.warning(
                "Sync terminated",
                metadata: [
                    "storage": "\(storage.id)", "job": "\(jobID)", "reason": "\(verdict.reason.wireName)",
                ]
            )
            return try await store.storage(id: storage.id)  // With the count the store committed.
        }
        let current = try await store.storage(id: storage.id)
        guard current.syncInfo.status.isActive, attemptsLeft > 1 else { return current }
        let observation = try await store.jobObservation(storageID: storage.id)
        return try await enforce(current, observation: observation, attemptsLeft: attemptsLeft - 1)
    }

    /// Applies termination detection to every queued or in-progress storage `query` could match
    /// (all of them by default), a page of the store's largest size at a time. ListStorages
    /// runs it before a status filter; ``TerminationSweep`` runs it every ping interval, so no
    /// sync waits for a reader to be settled.
    ///
    /// - Parameter query: Filters to keep (its statuses, page size and cursor are replaced).
    /// - Returns: How many active storages were looked at.
    /// - Throws: Store errors.
    @discardableResult
    public func enforceActive(like query: StorageQuery = StorageQuery()) async throws -> Int {
        var active = query
        active.statuses = [.queued, .inProgress]
        active.pageSize = StorageQuery.maxPageSize
        active.cursor = nil
        var looked = 0
        // Bounded: each page advances the cursor and the store has finitely many storages.
        repeat {
            let page = try await store.listStorages(active)
            for storage in page.storages {
                _ = try await enforce(storage, observation: page.jobObservations[storage.id] ?? .missing)
            }
            looked += page.storages.count
            active.cursor = page.nextCursor
        } while active.cursor != nil
        return looked
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
