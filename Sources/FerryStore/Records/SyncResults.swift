public import FerryCore

/// The answer to ``FerryStore/startSync(storageID:options:now:jobID:)``.
public enum StartSyncResult: Sendable, Hashable {
    /// A new job was queued; the storage is now `queued` with it as `lastSyncJob`.
    case started(job: JobRecord, syncInfo: SyncInfo)
    /// A sync was already queued or in progress, so no job was made (single flight); `jobID` names
    /// the job that is there.
    case alreadyRunning(jobID: String, syncInfo: SyncInfo)

    /// The new job's id, or the running job's.
    public var jobID: String {
        switch self {
        case .started(let job, _): job.id
        case .alreadyRunning(let jobID, _): jobID
        }
    }

    /// The storage's sync state after the call.
    public var syncInfo: SyncInfo {
        switch self {
        case .started(_, let info), .alreadyRunning(_, let info): info
        }
    }

    /// Whether a sync was already active, so nothing was queued.
    public var isAlreadyRunning: Bool {
        if case .alreadyRunning = self { return true }
        return false
    }
}

/// The answer to ``FerryStore/requestCancel(storageID:reason:now:)``.
public struct CancelResult: Sendable, Hashable {
    /// The job asked to stop; `nil` when no sync was queued or running.
    public var jobID: String?
    /// Whether a cancel is now recorded (`false` when there was nothing to cancel).
    public var cancelRequested: Bool
    /// The storage's sync state after the call.
    public var syncInfo: SyncInfo

    /// Creates a result.
    ///
    /// - Parameters:
    ///   - jobID: The job asked to stop.
    ///   - cancelRequested: Whether a cancel is recorded.
    ///   - syncInfo: The sync state after the call.
    public init(jobID: String?, cancelRequested: Bool, syncInfo: SyncInfo) {
        self.jobID = jobID
        self.cancelRequested = cancelRequested
        self.syncInfo = syncInfo
    }
}

/// The answer to ``FerryStore/recordProgress(lease:counters:checkpoint:now:)``.
public struct ProgressResult: Sendable, Hashable {
    /// The storage's sync state after the write.
    public var syncInfo: SyncInfo
    /// Whether a cancel was requested: the heartbeat reply tells the worker to stop.
    public var cancelRequested: Bool

    /// Creates a result.
    ///
    /// - Parameters:
    ///   - syncInfo: The sync state after the write.
    ///   - cancelRequested: Whether a cancel was requested.
    public init(syncInfo: SyncInfo, cancelRequested: Bool) {
        self.syncInfo = syncInfo
        self.cancelRequested = cancelRequested
    }
}

/// A job just claimed by a worker, with everything needed to run it (AcquireJob).
public struct ClaimedJob: Sendable, Hashable {
    /// The job, now `running` under the new lease.
    public var job: JobRecord
    /// The storage as of the claim (no secret values).
    public var storage: Storage
    /// The storage's secrets, opened. Hand them only to the worker holding the lease; never log.
    public var secrets: StorageSecrets

    /// Creates a claimed job.
    ///
    /// - Parameters:
    ///   - job: The job, now running.
    ///   - storage: The storage as of the claim.
    ///   - secrets: The storage's secrets.
    public init(job: JobRecord, storage: Storage, secrets: StorageSecrets) {
        self.job = job
        self.storage = storage
        self.secrets = secrets
    }

    /// The lease the worker must send with every write for this job.
    public var lease: JobLease {
        // A claimed job always has a token; the store sets it in the same transaction.
        JobLease(
            jobID: self.job.id,
            token: self.job.leaseToken ?? "",
            workerID: self.job.workerID ?? "",
            instanceID: self.job.instanceID ?? ""
        )
    }
}

/// What ``FerryStore/deleteStorage(id:force:)`` removed.
public struct StorageDeletion: Sendable, Hashable {
    /// The deleted storage.
    public var storageID: Int64
    /// The queued or running job that was removed with it (its lease is no longer current), if any.
    public var activeJobID: String?
    /// How many tasks lost their link to the storage (the tasks themselves are kept).
    public var unlinkedTasks: Int64

    /// Creates a deletion report.
    ///
    /// - Parameters:
    ///   - storageID: The deleted storage.
    ///   - activeJobID: The active job removed with it.
    ///   - unlinkedTasks: How many tasks were unlinked.
    public init(storageID: Int64, activeJobID: String?, unlinkedTasks: Int64) {
        self.storageID = storageID
        self.activeJobID = activeJobID
        self.unlinkedTasks = unlinkedTasks
    }
}

/// How an update treats the stored secrets (`UpdateStorageRequest.credentials` and
/// `clear_credentials`).
public enum SecretsUpdate: Sendable, Hashable {
    /// Keep every stored secret.
    case keep
    /// Set the given secrets; every stored secret not named keeps its value
    /// (`StorageSecrets.updated(with:)`). An empty value is the same as ``keep``.
    case merge(StorageSecrets)
    /// Drop every stored secret, then store exactly the given ones (possibly none).
    case replaceAll(StorageSecrets)
}
