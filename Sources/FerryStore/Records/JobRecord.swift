public import FerryCore

/// A sync job as the queue records it.
public struct JobRecord: Sendable, Hashable, Identifiable {
    /// The job id (also the storage's `SyncInfo.lastSyncJob`), chosen by the server.
    public var id: String
    /// The storage being synced.
    public var storageID: Int64
    /// The kind of sync, the storage's kind.
    public var kind: StorageKind
    /// The storage's provider, for matching worker capabilities.
    public var provider: StorageProvider
    /// Where the job stands.
    public var state: JobState
    /// 1 for the first run of this job; higher for a bounded retry.
    public var attempt: Int
    /// The options the sync was started with.
    public var options: SyncOptions
    /// The token of the current claim; `nil` until claimed. Not secret on its own (it fences a
    /// job, it does not authenticate a worker), but not worth logging either.
    public var leaseToken: String?
    /// The worker holding (or that last held) the lease.
    public var workerID: String?
    /// That worker's process instance.
    public var instanceID: String?
    /// Where the sync got to, if the worker reported a checkpoint.
    public var checkpoint: SyncCheckpoint?
    /// When the job was queued.
    public var createdAt: FerryTime
    /// When a worker claimed it.
    public var claimedAt: FerryTime?
    /// When progress was last written for it.
    public var lastProgressAt: FerryTime?
    /// When it settled.
    public var finishedAt: FerryTime?
    /// When a cancel was requested, if ever.
    public var cancelRequestedAt: FerryTime?
    /// Why the cancel was requested, as the caller said; empty if not given.
    public var cancelReason: String?

    /// Creates a record.
    ///
    /// - Parameters:
    ///   - id: The job id.
    ///   - storageID: The storage being synced.
    ///   - kind: The kind of sync.
    ///   - provider: The storage's provider.
    ///   - state: Where the job stands.
    ///   - attempt: The run number, from 1.
    ///   - options: The sync options.
    ///   - leaseToken: The current claim's token.
    ///   - workerID: The lease holder.
    ///   - instanceID: The lease holder's process instance.
    ///   - checkpoint: The last checkpoint.
    ///   - createdAt: When the job was queued.
    ///   - claimedAt: When it was claimed.
    ///   - lastProgressAt: When progress was last written.
    ///   - finishedAt: When it settled.
    ///   - cancelRequestedAt: When a cancel was requested.
    ///   - cancelReason: Why a cancel was requested.
    public init(
        id: String,
        storageID: Int64,
        kind: StorageKind,
        provider: StorageProvider,
        state: JobState,
        attempt: Int = 1,
        options: SyncOptions = .default,
        leaseToken: String? = nil,
        workerID: String? = nil,
        instanceID: String? = nil,
        checkpoint: SyncCheckpoint? = nil,
        createdAt: FerryTime,
        claimedAt: FerryTime? = nil,
        lastProgressAt: FerryTime? = nil,
        finishedAt: FerryTime? = nil,
        cancelRequestedAt: FerryTime? = nil,
        cancelReason: String? = nil
    ) {
        self.id = id
        self.storageID = storageID
        self.kind = kind
        self.provider = provider
        self.state = state
        self.attempt = attempt
        self.options = options
        self.leaseToken = leaseToken
        self.workerID = workerID
        self.instanceID = instanceID
        self.checkpoint = checkpoint
        self.createdAt = createdAt
        self.claimedAt = claimedAt
        self.lastProgressAt = lastProgressAt
        self.finishedAt = finishedAt
        self.cancelRequestedAt = cancelRequestedAt
        self.cancelReason = cancelReason
    }

    /// The lease of the current claim, if the job was claimed.
    public var lease: JobLease? {
        self.leaseToken.map {
            JobLease(jobID: self.id, token: $0, workerID: self.workerID ?? "", instanceID: self.instanceID ?? "")
        }
    }
}
