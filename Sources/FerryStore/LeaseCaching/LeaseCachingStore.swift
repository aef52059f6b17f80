public import FerryCore
import Synchronization

/// A ``FerryStore`` that remembers which leases are current, so most heartbeats are answered from
/// memory instead of the database.
///
/// It wraps another store and keeps itself true: every call through it that claims, settles,
/// cancels or removes a job updates the cache in the same call (claims and successful progress
/// writes record a lease; outcomes, verdicts, purges, deletions and a worker's new instance drop
/// it; a cancel request marks it; any fenced write refused as ``StoreError/Code/leaseNotCurrent``
/// drops it). Nobody invalidates it by hand. A lease not in the cache is unknown here, and the
/// caller asks the store, which fences every persisted write anyway.
///
/// Every call through it that may change a storage's row (its settings, its status, its sync job)
/// is also told to `onTouch`, so live watchers (WatchStorages) read that storage again at once.
/// Progress writes are not told: watchers pick progress up once per ping interval.
///
/// The cache is this process's. What other server replicas change reaches it through
/// ``apply(_:)`` when the database announces changes (PostgreSQL); without announcements, a job
/// settled through another replica is dropped here at its lease's next fenced write.
public final class LeaseCachingStore: FerryStore {
    private struct Entry {
        var lease: JobLease
        var cancelRequested: Bool
    }

    private struct State {
        var entries: [String: Entry] = [:]
        /// Bumped by every drop, so a write that read the store before a drop does not record its
        /// lease again after it.
        var epoch: UInt64 = 0
    }

    /// The store every call goes to.
    public let base: any FerryStore
    private let state = Mutex(State())
    private let onJobEnded: @Sendable (String) -> Void
    private let onTouch: @Sendable (StorageTouch) -> Void

    /// Wraps a store.
    ///
    /// - Parameters:
    ///   - base: The store every call goes to.
    ///   - onJobEnded: Called with a job's id whenever its lease is dropped (the job settled, was
    ///     removed, or its lease was refused), for other per-job memory to forget it.
    ///   - onTouch: Called after every call that may have changed a storage's row.
    public init(
        _ base: any FerryStore,
        onJobEnded: @escaping @Sendable (String) -> Void = { _ in },
        onTouch: @escaping @Sendable (StorageTouch) -> Void = { _ in }
    ) {
        self.base = base
        self.onJobEnded = onJobEnded
        self.onTouch = onTouch
    }

    /// Whether a cancel was requested for a lease known current here; `nil` when the lease is not
    /// known current, or is presented by a worker process other than its holder (ask the store).
    ///
    /// - Parameter lease: The lease presented.
    /// - Returns: The cancel request, or `nil`.
    public func cachedCancelRequested(for lease: JobLease) -> Bool? {
        state.withLock { state in
            guard let entry = state.entries[lease.jobID], entry.lease == lease else { return nil }
            return entry.cancelRequested
        }
    }

    // MARK: - Calls that change storages

    public func createStorage(
        kind: StorageKind,
        settings: StorageSettings,
        secrets: StorageSecrets,
        now: FerryTime
    ) async throws -> Storage {
        let storage = try await base.createStorage(kind: kind, settings: settings, secrets: secrets, now: now)
        onTouch(.storage(storage.id))
        return storage
    }

    public func updateStorage(
        id: Int64,
        settings: StorageSettings,
        secrets: SecretsUpdate,
        expectedRevision: Int64?,
        now: FerryTime
    ) async throws -> Storage {
        let storage = try await base.updateStorage(
            id: id, settings: settings, secrets: secrets, expectedRevision: expectedRevision, now: now)
        onTouch(.storage(id))
        return storage
    }

    public func startSync(storageID: Int64, options: SyncOptions, now: FerryTime, jobID: String) async throws
        -> StartSyncResult
    {
        let result = try await base.startSync(storageID: storageID, options: options, now: now, jobID: jobID)
        if !result.isAlreadyRunning { onTouch(.storage(storageID)) }
        return result
    }

    // MARK: - Calls that change jobs

    public func claimJob(
        workerID: String,
        instanceID: String,
        kinds: Set<StorageKind>,
        providers: Set<StorageProvider>,
        now: FerryTime,
        leaseToken: String
    ) async throws -> ClaimedJob? {
        let epoch = currentEpoch()
        let claimed = try await base.claimJob(
            workerID: workerID, instanceID: instanceID, kinds: kinds, providers: providers, now: now,
            leaseToken: leaseToken)
        if let claimed {
            record(claimed.lease, cancelRequested: false, since: epoch)
            onTouch(.storage(claimed.storage.id))
        }
        return claimed
    }

    public func recordProgress(
        lease: JobLease,
        counters: SyncCounters,
        checkpoint: SyncCheckpoint?,
        now: FerryTime
    ) async throws -> ProgressResult {
        let epoch = currentEpoch()
        let result = try await fenced(lease) {
            try await base.recordProgress(lease: lease, counters: counters, checkpoint: checkpoint, now: now)
        }
        record(lease, cancelRequested: result.cancelRequested, since: epoch)
        return result
    }

    public func recordProgress(_ reports: [ProgressReport]) async throws -> [Result<ProgressResult, StoreError>] {
        let epoch = currentEpoch()
        let results = try await base.recordProgress(reports)
        // Recorded before any drop, which would bump the epoch and skip the records after it.
        for (report, result) in zip(reports, results) {
            if case .success(let progress) = result {
                record(report.lease, cancelRequested: progress.cancelRequested, since: epoch)
            }
        }
        for (report, result) in zip(reports, results) {
            if case .failure(let error) = result, error.code == .leaseNotCurrent { drop(report.lease.jobID) }
        }
        return results
    }

    public func completeJob(
        lease: JobLease,
        outcome: SyncOutcome,
        counters: SyncCounters?,
        now: FerryTime
    ) async throws -> SyncInfo {
        let info = try await fenced(lease) {
            try await base.completeJob(lease: lease, outcome: outcome, counters: counters, now: now)
        }
        drop(lease.jobID)
        onTouch(.job(lease.jobID))
        return info
    }

    public func applyVerdict(storageID: Int64, expectedJobID: String, newInfo: SyncInfo) async throws -> Bool {
        let written = try await base.applyVerdict(storageID: storageID, expectedJobID: expectedJobID, newInfo: newInfo)
        if written {
            drop(expectedJobID)
            onTouch(.storage(storageID))
        }
        return written
    }

    public func requestCancel(storageID: Int64, reason: String?, now: FerryTime) async throws -> CancelResult {
        let result = try await base.requestCancel(storageID: storageID, reason: reason, now: now)
        if result.cancelRequested, let jobID = result.jobID {
            state.withLock { $0.entries[jobID]?.cancelRequested = true }
        }
        onTouch(.storage(storageID))  // A queued sync is settled as cancelled at once.
        return result
    }

    public func deleteJob(id: String) async throws -> Bool {
        defer {
            drop(id)
            onTouch(.job(id))
        }
        return try await base.deleteJob(id: id)
    }

    public func deleteStorage(id: Int64, force: Bool) async throws -> StorageDeletion {
        let deletion = try await base.deleteStorage(id: id, force: force)
        if let jobID = deletion.activeJobID { drop(jobID) }
        onTouch(.storage(id))
        return deletion
    }

    public func registerWorkerInstance(workerID: String, instanceID: String, now: FerryTime) async throws -> [String] {
        let lost = try await base.registerWorkerInstance(workerID: workerID, instanceID: instanceID, now: now)
        for jobID in lost {
            drop(jobID)
            onTouch(.job(jobID))
        }
        return lost
    }

    // MARK: - Changes made by other server processes

    /// Applies a change another server process announced: a cancel marks the job's lease, a
    /// settled job's lease is dropped, and after a gap in the announcements every lease is
    /// dropped (each is looked up again at its next heartbeat).
    ///
    /// - Parameter change: The announced change.
    public func apply(_ change: StoreChange) {
        switch change {
        case .syncQueued, .feedLost:
            break
        case .cancelRequested(let jobID):
            state.withLock { state in
                state.entries[jobID]?.cancelRequested = true
                // A claim or write that read the store before the cancel must not cache its lease
                // as not cancelled after this.
                state.epoch &+= 1
            }
        case .jobEnded(let jobID):
            drop(jobID)
        case .feedResumed:
            state.withLock { state in
                state.entries.removeAll()
                state.epoch &+= 1
            }
        }
    }

    // MARK: - Cache upkeep

    /// Runs a fenced write; a refusal because the lease is no longer current drops it.
    func fenced<T>(_ lease: JobLease, _ write: () async throws -> T) async throws -> T {
        do {
            return try await write()
        } catch let error as StoreError where error.code == .leaseNotCurrent {
            drop(lease.jobID)
            throw error
        }
    }

    private func currentEpoch() -> UInt64 {
        state.withLock { $0.epoch }
    }

    /// Records a lease as current, unless a drop happened since `epoch` (it may have been this
    /// lease's, after the store answered).
    private func record(_ lease: JobLease, cancelRequested: Bool, since epoch: UInt64) {
        state.withLock { state in
            guard state.epoch == epoch else { return }
            let known = state.entries[lease.jobID].map { $0.lease == lease && $0.cancelRequested } ?? false
            state.entries[lease.jobID] = Entry(lease: lease, cancelRequested: cancelRequested || known)
        }
    }

    private func drop(_ jobID: String) {
        state.withLock { state in
            state.entries[jobID] = nil
            state.epoch &+= 1
        }
        onJobEnded(jobID)
    }
}
