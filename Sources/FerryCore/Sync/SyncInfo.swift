/// The sync state every storage carries (docs/CONTRACT.md §2.3, `ferry.v1.SyncInfo`).
///
/// Change it only through ``SyncStatusMachine``, which enforces the allowed transitions and the
/// resets and stamps that go with them.
public struct SyncInfo: Sendable, Hashable {
    /// Where the sync stands.
    public var status: SyncStatus
    /// When the last sync finished; `nil` while one is queued or running, or if none ever did.
    public var lastSync: FerryTime?
    /// Objects synced by the current or last sync: what the store committed (tasks created by an
    /// import), counted as it commits them, so it is exact however the sync ends. The status
    /// machine only resets it; it never takes the worker's own counter.
    public var lastSyncCount: Int64
    /// The id of the current or last job.
    public var lastSyncJob: String?
    /// Why the last sync failed, or which items failed validation; readable and bounded.
    public var traceback: String?
    /// Counters, timestamps and diagnostics.
    public var meta: SyncMeta

    /// Creates sync info.
    ///
    /// - Parameters:
    ///   - status: Where the sync stands.
    ///   - lastSync: When the last sync finished.
    ///   - lastSyncCount: Objects synced by the current or last sync.
    ///   - lastSyncJob: The current or last job id.
    ///   - traceback: Why the last sync failed.
    ///   - meta: Counters, timestamps and diagnostics.
    public init(
        status: SyncStatus = .initialized,
        lastSync: FerryTime? = nil,
        lastSyncCount: Int64 = 0,
        lastSyncJob: String? = nil,
        traceback: String? = nil,
        meta: SyncMeta = SyncMeta()
    ) {
        self.status = status
        self.lastSync = lastSync
        self.lastSyncCount = lastSyncCount
        self.lastSyncJob = lastSyncJob
        self.traceback = traceback
        self.meta = meta
    }

    /// The state of a storage that was never synced.
    public static let initial = SyncInfo()
}
