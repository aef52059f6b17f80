public import FerryCore

/// Counts an operator watches (metrics): storages by kind, provider and status, and the queue.
public struct StoreStatistics: Sendable, Equatable {
    /// How many storages share a kind, a provider and a status.
    public struct StorageGroup: Sendable, Hashable {
        public var kind: StorageKind
        public var provider: StorageProvider
        public var status: SyncStatus
        public var count: Int

        /// Creates a group.
        public init(kind: StorageKind, provider: StorageProvider, status: SyncStatus, count: Int) {
            self.kind = kind
            self.provider = provider
            self.status = status
            self.count = count
        }
    }

    /// Every non-empty group.
    public var storages: [StorageGroup]
    /// Jobs waiting for a worker.
    public var queuedJobs: Int
    /// When the oldest of them was queued; `nil` with none.
    public var oldestQueuedAt: FerryTime?

    /// Creates statistics.
    public init(storages: [StorageGroup], queuedJobs: Int, oldestQueuedAt: FerryTime?) {
        self.storages = storages
        self.queuedJobs = queuedJobs
        self.oldestQueuedAt = oldestQueuedAt
    }
}
