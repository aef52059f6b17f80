import FerryCore

/// The rows one write transaction of a store reads and writes for ``SyncLedger``.
///
/// A store implements it over its own transaction; the ledger runs the status machine, the
/// fencing and the verdict compare-and-set on top, so every store decides alike. The
/// transaction must hold the storage row it read (SQLite's `BEGIN IMMEDIATE` write lock, a row
/// lock elsewhere) until it commits: the ledger's read-decide-write is atomic only because of it.
protocol LedgerTransaction: LeaseRows {
    /// A storage's kind, provider and sync state.
    ///
    /// - Throws: ``StoreError/Code/notFound`` if the storage does not exist.
    func syncState(storageID: Int64) async throws -> StorageSyncState

    /// Replaces a storage's sync state.
    func writeSyncInfo(_ info: SyncInfo, storageID: Int64) async throws

    /// Adds a `queued` job.
    ///
    /// - Throws: ``StoreError/Code/conflict`` if its id is taken.
    func insertQueuedJob(_ job: JobRecord) async throws

    /// Records a cancel request on a job still queued or running; an earlier request and reason
    /// are kept.
    func requestJobCancel(jobID: String, reason: String?, now: FerryTime) async throws

    /// Refuses a claim by an instance that is no longer its worker's current one; an unknown
    /// worker passes.
    ///
    /// - Throws: ``StoreError/Code/failedPrecondition`` for a superseded instance.
    func checkNotSuperseded(workerID: String, instanceID: String) async throws

    /// The oldest queued job (not cancel-requested, still its storage's current job) of a kind
    /// and provider the worker runs (all when a set is empty).
    func nextClaimableJob(
        kinds: Set<StorageKind>,
        providers: Set<StorageProvider>
    ) async throws -> (jobID: String, storageID: Int64)?

    /// Makes a queued job (the lease's) `running` under the lease, held by its worker instance.
    func startJob(_ lease: JobLease, now: FerryTime) async throws

    /// Registers a claiming worker that is unknown, and stamps when it was last seen.
    func recordClaimingWorker(workerID: String, instanceID: String, now: FerryTime) async throws

    /// What a claim hands the worker: the job, its storage and the storage's opened secrets.
    func claimedJob(jobID: String, storageID: Int64) async throws -> ClaimedJob

    /// Stamps a running job's last progress.
    func recordJobProgress(jobID: String, now: FerryTime) async throws

    /// Stores a job's checkpoint; `nil` keeps the stored one.
    func writeCheckpoint(_ checkpoint: SyncCheckpoint?, jobID: String, now: FerryTime) async throws

    /// Settles a job with its worker's outcome.
    func finishJob(jobID: String, state: JobState, now: FerryTime) async throws

    /// Settles a job that is still queued or running by a verdict: `running` becomes
    /// `whenRunning`, `queued` becomes `whenQueued`.
    func settleJob(
        jobID: String,
        storageID: Int64,
        whenRunning: JobState,
        whenQueued: JobState,
        at time: FerryTime?
    ) async throws

    /// Tells the other server processes sharing the database of a change, once the transaction
    /// commits (nothing when it rolls back).
    func announce(_ change: StoreChange) async throws
}

/// Reads the fencing columns of jobs: all ``LeaseFence`` needs, in a read or a write.
protocol LeaseRows {
    /// The fencing columns of a job, or `nil` when it is not in the queue.
    func leaseRow(jobID: String) async throws -> JobLeaseRow?
}

/// A storage's sync state with the columns a job needs.
struct StorageSyncState: Sendable {
    var kind: StorageKind
    var provider: StorageProvider
    var info: SyncInfo
}
