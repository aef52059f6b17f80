public import FerryCore

/// The server's durable state: storages with their sync state, the job queue with its leases, the
/// worker registry, and the tasks imported into projects.
///
/// ``SQLiteFerryStore`` is the embedded implementation; ``PostgresFerryStore`` fills the same
/// contract for several server replicas sharing one database. Every method is one transaction: it either commits entirely (and is
/// durable when it returns) or changes nothing. Status changes go through FerryCore's
/// `SyncStatusMachine` *inside* the transaction that writes them, so concurrent callers and server
/// replicas cannot interleave a read-modify-write.
///
/// ## Fencing
///
/// Every worker write (``recordProgress(lease:counters:checkpoint:now:)``,
/// ``completeJob(lease:outcome:counters:now:)``, ``importTasks(lease:tasks:checkpoint:now:)``,
/// ``upsertDatasetObjects(lease:objects:checkpoint:now:)``,
/// ``completeDatasetScan(lease:listingComplete:now:)``)
/// takes the job's ``JobLease`` and checks it in the same transaction as the write: the job must
/// exist, be `running`, and hold that token. Otherwise nothing is written and the call throws
/// ``StoreError/Code/leaseNotCurrent``. Once a job is settled — by its worker, by a termination
/// verdict, by a cancel, by its worker's new instance, by deletion — its old lease never writes
/// again.
///
/// ## Secrets
///
/// Secrets are write-only. They are stored sealed by a ``SecretSealer``; no read returns them
/// except ``secrets(of:)`` and ``claimJob(workerID:instanceID:kinds:providers:now:leaseToken:)``,
/// which exist to hand them to the worker that holds a lease.
///
/// ## Time
///
/// The store has no clock: every write that stamps a time takes `now` from the caller's injected
/// `FerryClock`, so the server's clock is the only one.
public protocol FerryStore: Sendable {
    // MARK: Storages

    /// Creates a storage with revision 1 and ``SyncInfo/initial``.
    ///
    /// The store does not validate settings (that is `StorageValidator`'s job, before this call).
    ///
    /// - Parameters:
    ///   - kind: What the storage is for; fixed after creation.
    ///   - settings: Its settings.
    ///   - secrets: Its credentials; sealed before they are written.
    ///   - now: The creation time.
    /// - Returns: The stored storage with its new id (no secret values; ``Storage/secretNames`` set).
    /// - Throws: ``StoreError`` (`.io`, or `.corrupt` if sealing fails).
    func createStorage(
        kind: StorageKind,
        settings: StorageSettings,
        secrets: StorageSecrets,
        now: FerryTime
    ) async throws -> Storage

    /// Reads a storage, never with secret values.
    ///
    /// - Parameter id: The storage id.
    /// - Returns: The storage as stored (termination detection is the caller's).
    /// - Throws: ``StoreError/Code/notFound``; `.corrupt`, `.io`.
    func storage(id: Int64) async throws -> Storage

    /// Opens a storage's secrets. Only for handing them to a worker that holds a lease on one of
    /// the storage's jobs; never return them to any other caller, never log them.
    ///
    /// - Parameter storageID: The storage id.
    /// - Returns: The secrets; empty if none are stored.
    /// - Throws: ``StoreError/Code/notFound``; `.corrupt` if they fail to open.
    func secrets(of storageID: Int64) async throws -> StorageSecrets

    /// Replaces a storage's settings and updates its secrets; increments its revision.
    ///
    /// `projectID`, kind and provider are fixed after creation; a change is refused. The sync
    /// state is untouched, and a running job keeps the settings it was claimed with.
    ///
    /// - Parameters:
    ///   - id: The storage id.
    ///   - settings: The complete new settings.
    ///   - secrets: How to treat the stored secrets (``SecretsUpdate/keep`` to leave them).
    ///   - expectedRevision: Refuse unless the storage is at this revision; `nil` for no check.
    ///   - now: The update time.
    /// - Returns: The updated storage (no secret values).
    /// - Throws: ``StoreError/Code/notFound``; ``StoreError/Code/conflict`` when the revision
    ///   differs; ``StoreError/Code/invalidArgument`` when the project or provider changes.
    func updateStorage(
        id: Int64,
        settings: StorageSettings,
        secrets: SecretsUpdate,
        expectedRevision: Int64?,
        now: FerryTime
    ) async throws -> Storage

    /// Deletes a storage.
    ///
    /// In one transaction: the storage row and its secrets go; every job of the storage is
    /// removed from the queue (so a worker still running its active job is fenced at its next
    /// heartbeat or batch: its lease is ``LeaseState/unknown``); the storage's tasks are **kept**
    /// in their project but lose their link (storage, key, row index), as in the reference, where
    /// deleting a storage deletes its links and not its tasks. A storage created later over the
    /// same bucket therefore imports those objects again.
    ///
    /// - Parameters:
    ///   - id: The storage id.
    ///   - force: Delete even while a sync is queued or in progress; without it, such a storage
    ///     is refused with ``StoreError/Code/failedPrecondition``.
    /// - Returns: What was removed.
    /// - Throws: ``StoreError/Code/notFound``; ``StoreError/Code/failedPrecondition``.
    func deleteStorage(id: Int64, force: Bool) async throws -> StorageDeletion

    /// Lists storages matching a query, one page at a time, in ascending id order.
    ///
    /// The page carries a ``JobObservation`` for each returned storage that is queued or in
    /// progress, read in the same snapshot, for termination detection.
    ///
    /// - Parameter query: Filters, page size and cursor.
    /// - Returns: The page, the total match count and the next cursor.
    /// - Throws: `.corrupt`, `.io`.
    func listStorages(_ query: StorageQuery) async throws -> StoragePage

    // MARK: Sync

    /// StartSync, single-flight: in one write transaction, reads the storage, runs
    /// `SyncStatusMachine.startSync`, and either answers ``StartSyncResult/alreadyRunning(jobID:syncInfo:)``
    /// (a sync is queued or in progress; nothing is written) or inserts the job (`queued`) and
    /// writes the new sync state.
    ///
    /// Concurrent calls for one storage produce exactly one job, and every answer names it.
    /// Whether the storage is `synchronizable` is the caller's check.
    ///
    /// - Parameters:
    ///   - storageID: The storage.
    ///   - options: The sync options, kept with the job.
    ///   - now: The server's current time.
    ///   - jobID: The id for a new job (unused when a sync is already active).
    /// - Returns: The new job, or the job already there.
    /// - Throws: ``StoreError/Code/notFound``; ``StoreError/Code/conflict`` if `jobID` is taken.
    func startSync(
        storageID: Int64,
        options: SyncOptions,
        now: FerryTime,
        jobID: String
    ) async throws -> StartSyncResult

    /// Persists a termination verdict once: a compare-and-set that writes `newInfo` only while the
    /// storage is still queued or in progress with `expectedJobID` as its job and the
    /// `timeLastPing` the verdict was computed from (`newInfo.meta.timeLastPing`, which
    /// `SyncStatusMachine.terminate` does not change). A heartbeat, claim or outcome that landed
    /// since the read makes the verdict stale and it is not written.
    ///
    /// In the same transaction, the job (if it is still in the queue and active) is settled:
    /// `cancelled` for `CANCELLED`, `lost` for `JOB_FAILED` of a running job, `failed` otherwise.
    ///
    /// - Parameters:
    ///   - storageID: The storage.
    ///   - expectedJobID: The job the verdict is about.
    ///   - newInfo: The settled sync state from `SyncStatusMachine.terminate`.
    /// - Returns: `true` if this call wrote the verdict; `false` if the storage had moved on (another
    ///   lister's verdict, the worker's outcome, a new ping) or no longer exists.
    /// - Throws: ``StoreError/Code/invalidArgument`` if `newInfo` is not settled or names another job.
    func applyVerdict(storageID: Int64, expectedJobID: String, newInfo: SyncInfo) async throws -> Bool

    /// CancelSync: records a cancel request on the storage (`SyncStatusMachine.requestCancel`) and
    /// on its active job, in one transaction. The next heartbeat's ``ProgressResult`` carries it; a
    /// job nobody claimed yet is never handed out afterwards and detection settles it as `CANCELLED`.
    ///
    /// - Parameters:
    ///   - storageID: The storage.
    ///   - reason: Why, as the caller said; kept with the job.
    ///   - now: The server's current time.
    /// - Returns: The job asked to stop, or `cancelRequested == false` when no sync was active.
    /// - Throws: ``StoreError/Code/notFound``.
    func requestCancel(storageID: Int64, reason: String?, now: FerryTime) async throws -> CancelResult

    // MARK: Jobs

    /// AcquireJob's claim, atomic: the oldest queued job (not cancel-requested) whose kind and
    /// provider the worker can run becomes `running` under `leaseToken`, held by this worker
    /// instance; its storage goes `inProgress` (`SyncStatusMachine.claim`). One job, one worker,
    /// however many claim at once.
    ///
    /// The worker must be registered (``registerWorkerInstance(workerID:instanceID:now:)``); an
    /// unknown worker id is registered with this instance, but an instance that is no longer its
    /// worker's current one is refused.
    ///
    /// - Parameters:
    ///   - workerID: The worker's stable id.
    ///   - instanceID: The worker's process instance.
    ///   - kinds: The kinds it can run; empty for all.
    ///   - providers: The providers it can use; empty for all.
    ///   - now: The server's current time.
    ///   - leaseToken: A fresh, unguessable token for this claim.
    /// - Returns: The claimed job with its storage and opened secrets, or `nil` if none is waiting.
    /// - Throws: ``StoreError/Code/failedPrecondition`` for a superseded instance; `.corrupt`.
    func claimJob(
        workerID: String,
        instanceID: String,
        kinds: Set<StorageKind>,
        providers: Set<StorageProvider>,
        now: FerryTime,
        leaseToken: String
    ) async throws -> ClaimedJob?

    /// Reads a job.
    ///
    /// - Parameter id: The job id.
    /// - Returns: The job, or `nil` if it is not in the queue.
    /// - Throws: `.corrupt`, `.io`.
    func job(id: String) async throws -> JobRecord?

    /// What the queue knows about a storage's current job, for termination detection (GetStorage).
    ///
    /// Meant for a storage that is queued or in progress (detection ignores settled ones). A job
    /// that `succeeded` is reported as `failed`, the nearest state `ObservedJob` has; through this
    /// store that is only ever seen beside a settled storage, because completion writes the job and
    /// the storage in one transaction.
    ///
    /// - Parameter storageID: The storage.
    /// - Returns: ``JobObservation/missing`` if the storage has no current job or it is no longer in
    ///   the queue; otherwise its state, lease holder, whether that holder is still its worker's
    ///   current instance, and its cancel request.
    /// - Throws: ``StoreError/Code/notFound`` if the storage does not exist.
    func jobObservation(storageID: Int64) async throws -> JobObservation

    /// Lists the queued and running jobs, oldest first (by queue time, then id), with the queue's
    /// depth over all pages, read in one snapshot.
    ///
    /// - Parameter query: Which states, the page size and the cursor.
    /// - Returns: One page.
    /// - Throws: `.corrupt`, `.io`.
    func listJobs(_ query: JobQuery) async throws -> JobPage

    /// Removes a job from the queue (an operator's purge). Its storage keeps pointing at it, so the
    /// next read fails the sync with `JOB_MISSING`; its lease becomes ``LeaseState/unknown``.
    ///
    /// - Parameter id: The job id.
    /// - Returns: Whether the job existed and was removed.
    /// - Throws: `.io`.
    func deleteJob(id: String) async throws -> Bool

    // MARK: Fencing and worker writes

    /// Whether a lease may still write.
    ///
    /// For a decision, not a guard: every worker write checks its lease again inside its own
    /// transaction.
    ///
    /// - Parameter lease: The lease.
    /// - Returns: Its state.
    /// - Throws: `.io`.
    func checkLease(_ lease: JobLease) async throws -> LeaseState

    /// A heartbeat with progress, fenced: records the counters and the ping time
    /// (`SyncStatusMachine.recordProgress`) and the checkpoint, if any.
    ///
    /// - Parameters:
    ///   - lease: The job's lease.
    ///   - counters: Cumulative progress.
    ///   - checkpoint: Where the sync got to; `nil` keeps the stored one.
    ///   - now: The server's current time.
    /// - Returns: The new sync state, and whether a cancel was requested.
    /// - Throws: ``StoreError/Code/leaseNotCurrent``; ``StoreError/Code/invalidArgument`` (with the
    ///   `TransitionError` as cause) for a negative counter.
    func recordProgress(
        lease: JobLease,
        counters: SyncCounters,
        checkpoint: SyncCheckpoint?,
        now: FerryTime
    ) async throws -> ProgressResult

    /// Several heartbeats' progress, each fenced and written as
    /// ``recordProgress(lease:counters:checkpoint:now:)`` writes one; a report that is refused
    /// does not keep the others from being written. (The server's background writer sends what
    /// gathered while the previous batch was written: one transaction instead of one per job.)
    ///
    /// - Parameter reports: At most one per job.
    /// - Returns: Each report's result, in order: the new sync state and the cancel request, or
    ///   the ``StoreError`` that refused it (``StoreError/Code/leaseNotCurrent``,
    ///   ``StoreError/Code/invalidArgument``).
    /// - Throws: ``StoreError`` when the batch as a whole could not be written (nothing was).
    func recordProgress(_ reports: [ProgressReport]) async throws -> [Result<ProgressResult, StoreError>]

    /// The worker's terminal outcome, fenced and durable when it returns: the storage settles
    /// (`SyncStatusMachine.complete`) and the job becomes `succeeded` (completed, completed with
    /// errors), `failed` or `cancelled`.
    ///
    /// - Parameters:
    ///   - lease: The job's lease.
    ///   - outcome: How the job ended.
    ///   - counters: The final counters, if reported.
    ///   - now: The server's current time.
    /// - Returns: The settled sync state.
    /// - Throws: ``StoreError/Code/leaseNotCurrent``; ``StoreError/Code/invalidArgument`` for a
    ///   negative counter.
    func completeJob(
        lease: JobLease,
        outcome: SyncOutcome,
        counters: SyncCounters?,
        now: FerryTime
    ) async throws -> SyncInfo

    // MARK: Workers

    /// Records that `instanceID` is now the current process of `workerID`.
    ///
    /// Jobs still `running` under another instance of that worker id are marked `lost` in the same
    /// transaction: that process is gone, so their leases are fenced at once and the next read of
    /// their storages fails them with `JOB_FAILED`. Registering the current instance again (a
    /// reconnect) loses nothing. Counting connected workers is the server's, in memory.
    ///
    /// - Parameters:
    ///   - workerID: The worker's stable id.
    ///   - instanceID: The new process's id.
    ///   - now: The server's current time.
    /// - Returns: The ids of the jobs the previous instance held, now `lost`.
    /// - Throws: `.io`.
    func registerWorkerInstance(workerID: String, instanceID: String, now: FerryTime) async throws -> [String]

    // MARK: Tasks

    /// Which of these keys have no task link yet for the lease's storage (dedupe before
    /// download), fenced.
    ///
    /// It answers with the new keys rather than the existing ones because a re-sync, the case
    /// that must be fast, then reads back nothing.
    ///
    /// - Parameters:
    ///   - lease: The import job's lease.
    ///   - keys: Object keys found by the listing.
    /// - Returns: The keys without any link, or whose object's last batch was never stored (see
    ///   ``importTasks(lease:tasks:partialKeys:checkpoint:now:)``), in request order (a repeated
    ///   key once).
    /// - Throws: ``StoreError/Code/leaseNotCurrent``.
    func newImportKeys(lease: JobLease, keys: [String]) async throws -> [String]

    /// An import batch, fenced and idempotent: creates one task per (key, row index) not yet linked
    /// to the lease's storage (into the storage's project), and stores the checkpoint, all in one
    /// transaction. Links are unique on (storage, key, row index) and inserted with
    /// `ON CONFLICT DO NOTHING`, so a repeated batch or a retried job never duplicates a task, and
    /// a zombie adds nothing.
    ///
    /// ``newImportKeys(lease:keys:)`` answers per key, so a key is complete only once all its rows
    /// are in: an object whose rows span several batches lists its key in `partialKeys` with every
    /// batch but the one carrying its last row. A key so listed is recorded as partial (and stays
    /// new) in the same transaction as the links; a batch that carries the key without listing it
    /// clears the record.
    ///
    /// - Parameters:
    ///   - lease: The import job's lease; the storage and project come from its job.
    ///   - tasks: The tasks.
    ///   - partialKeys: Keys of `tasks` whose object has more rows in a later batch.
    ///   - checkpoint: Where the job will be once this batch is stored; `nil` keeps the stored one.
    ///   - now: The creation time.
    /// - Returns: The links created and those that already existed.
    /// - Throws: ``StoreError/Code/leaseNotCurrent``; ``StoreError/Code/invalidArgument`` for a job
    ///   that is not an import.
    func importTasks(
        lease: JobLease,
        tasks: [NewTask],
        partialKeys: Set<String>,
        checkpoint: SyncCheckpoint?,
        now: FerryTime
    ) async throws -> ImportResult

    /// Reads a project's tasks in ascending id order.
    ///
    /// - Parameters:
    ///   - projectID: The project.
    ///   - storageID: Only tasks linked to this storage; `nil` for all.
    ///   - afterID: Start after this task id; 0 from the start.
    ///   - limit: The most tasks to return.
    /// - Returns: The tasks.
    /// - Throws: `.corrupt`, `.io`.
    func listTasks(projectID: Int64, storageID: Int64?, afterID: Int64, limit: Int) async throws -> [TaskRecord]

    /// How many tasks a project has.
    ///
    /// - Parameter projectID: The project.
    /// - Returns: The count.
    /// - Throws: `.io`.
    func taskCount(projectID: Int64) async throws -> Int64

    /// Storages by kind, provider and status, and the queue of jobs waiting for a worker.
    ///
    /// - Returns: The counts now.
    /// - Throws: `.io`.
    func statistics() async throws -> StoreStatistics

    // MARK: Annotations and export

    /// Creates or replaces annotations, all or none: a stored annotation is replaced only by a
    /// newer `updatedAt` (or when it was deleted), so a put can be retried or delivered twice.
    ///
    /// - Parameters:
    ///   - projectID: The project every task belongs to.
    ///   - annotations: The writes; ids unique.
    /// - Returns: The annotations as stored and the export-on-change storages to sync.
    /// - Throws: ``StoreError/Code/invalidArgument`` naming the first annotation whose task is not
    ///   a task of the project, or whose id belongs to another task.
    func putAnnotations(projectID: Int64, _ annotations: [AnnotationWrite]) async throws -> AnnotationPutResult

    /// Deletes annotations of a project (unknown ids are ignored). An annotation an export
    /// storage wrote stays as a tombstone until that storage's next export has rewritten or
    /// deleted the object holding it.
    ///
    /// - Parameters:
    ///   - projectID: The project.
    ///   - ids: The annotation ids.
    ///   - now: The deletion time.
    /// - Returns: How many were deleted, and the export-on-change storages to sync.
    func deleteAnnotations(projectID: Int64, ids: [Int64], now: FerryTime) async throws -> AnnotationDeleteResult

    /// The live annotations of tasks, by task id, each list in ascending annotation id.
    ///
    /// - Parameter taskIDs: The tasks.
    /// - Returns: Their annotations; a task without any is absent.
    func annotations(ofTasks taskIDs: [Int64]) async throws -> [Int64: [AnnotationRecord]]

    /// The next batch of an export job, fenced by its lease: the tasks after `afterTaskID`
    /// whose object must be written (new, changed or deleted annotations since the storage last
    /// wrote them, or every annotated task for a full export), in task id order. A task left
    /// with no annotation is a key to delete when the storage deletes objects; otherwise its
    /// links are dropped here and its object stays.
    ///
    /// - Parameters:
    ///   - lease: The export job's lease.
    ///   - afterTaskID: Start after this task; 0 from the start.
    ///   - limit: The most tasks in the batch.
    /// - Returns: The batch.
    /// - Throws: ``StoreError/Code/leaseNotCurrent``; `.invalidArgument` for a job that is not an
    ///   export.
    func exportBatch(lease: JobLease, afterTaskID: Int64, limit: Int) async throws -> ExportBatch

    /// Records what an export job wrote and deleted, fenced by its lease: one export link per
    /// annotation of each written object (with the version it holds), links of annotations the
    /// object no longer holds dropped, links of deleted keys dropped, tombstones nobody links to
    /// any more purged, the storage's counters and the job's checkpoint updated.
    ///
    /// - Parameters:
    ///   - lease: The export job's lease.
    ///   - written: The objects written.
    ///   - deletedKeys: The keys deleted.
    ///   - checkpoint: Where the job will be once this is stored.
    ///   - now: The time.
    /// - Returns: How many export links were recorded.
    /// - Throws: ``StoreError/Code/leaseNotCurrent``.
    func acknowledgeExport(
        lease: JobLease,
        written: [ExportWritten],
        deletedKeys: [String],
        checkpoint: SyncCheckpoint?,
        now: FerryTime
    ) async throws -> Int64

    // MARK: Lifecycle

    /// Waits for in-flight transactions, then closes the store. Every later call throws
    /// ``StoreError/Code/closed``.
    ///
    /// - Throws: `.io` if the database fails to close cleanly.
    func close() async throws

    // MARK: Datasets

    /// A dataset batch, fenced like ``importTasks(lease:tasks:partialKeys:checkpoint:now:)``: in
    /// one transaction the lease is checked (the job must be a running dataset sync holding it),
    /// the objects are catalogued for the job's storage, `last_sync_count` grows by the objects
    /// written, and the checkpoint is stored.
    ///
    /// An object not in the catalogue, or tombstoned there, is inserted (a tombstoned one is
    /// revived: live again, first seen now). A live object whose etag or size differs is
    /// rewritten. A live object with the same etag and size is not rewritten; it is only marked
    /// seen by this job, so that ``completeDatasetScan(lease:listingComplete:now:)`` keeps it.
    ///
    /// - Parameters:
    ///   - lease: The dataset job's lease; the storage comes from its job.
    ///   - objects: The objects the listing saw; a key repeated in the batch counts once.
    ///   - checkpoint: Where the job will be once this batch is stored; `nil` keeps the stored one.
    ///   - now: The server's current time.
    /// - Returns: How many objects were inserted, updated and unchanged.
    /// - Throws: ``StoreError/Code/leaseNotCurrent``; ``StoreError/Code/invalidArgument`` for a job
    ///   that is not a dataset sync.
    func upsertDatasetObjects(
        lease: JobLease,
        objects: [DatasetObjectMetadata],
        checkpoint: SyncCheckpoint?,
        now: FerryTime
    ) async throws -> DatasetUpsertResult

    /// The end of a dataset listing, fenced. Only when `listingComplete` is true and no cancel was
    /// requested are the storage's live objects that this job did not see tombstoned
    /// (`deleted_at = now`); otherwise nothing changes. A fenced lease changes nothing.
    ///
    /// - Parameters:
    ///   - lease: The dataset job's lease.
    ///   - listingComplete: Whether the listing covered every object of the location.
    ///   - now: The server's current time.
    /// - Returns: How many objects were tombstoned.
    /// - Throws: ``StoreError/Code/leaseNotCurrent``; ``StoreError/Code/invalidArgument`` for a job
    ///   that is not a dataset sync.
    func completeDatasetScan(lease: JobLease, listingComplete: Bool, now: FerryTime) async throws -> Int64

    /// Reads a dataset storage's catalogue one page at a time, in ascending key order.
    ///
    /// - Parameter query: The storage, a key prefix, whether tombstones are included, the page.
    /// - Returns: The page and where the next one starts.
    /// - Throws: ``StoreError/Code/notFound``; ``StoreError/Code/invalidArgument`` for a storage
    ///   that is not a dataset storage.
    func listDatasetObjects(_ query: DatasetObjectQuery) async throws -> DatasetObjectPage
}

extension FerryStore {
    /// An import batch none of whose keys has rows in a later batch; see
    /// ``importTasks(lease:tasks:partialKeys:checkpoint:now:)``.
    public func importTasks(
        lease: JobLease,
        tasks: [NewTask],
        checkpoint: SyncCheckpoint?,
        now: FerryTime
    ) async throws -> ImportResult {
        try await importTasks(lease: lease, tasks: tasks, partialKeys: [], checkpoint: checkpoint, now: now)
    }
}
