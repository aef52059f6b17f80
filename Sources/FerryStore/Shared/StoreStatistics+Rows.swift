import FerryCore

extension StoreStatistics {
    /// Storages grouped by kind, provider and status (the same SQL on both stores).
    static let groupsSQL = "SELECT kind, provider, status, COUNT(*) AS count FROM storages GROUP BY kind, provider, status"

    /// The queued jobs: how many, and the oldest one's queue time.
    static let queueSQL = "SELECT COUNT(*) AS count, MIN(created_at) AS oldest FROM jobs WHERE state = 'queued'"

    /// Decodes the rows of ``groupsSQL`` and the row of ``queueSQL``.
    init(groups: [some StoredRow], queue: (some StoredRow)?) throws {
        self.init(
            storages: try groups.map { row in
                StorageGroup(
                    kind: try row.rawEnum("kind", as: StorageKind.self),
                    provider: try row.rawEnum("provider", as: StorageProvider.self),
                    status: try row.rawEnum("status", as: SyncStatus.self),
                    count: Int(try row.int64("count"))
                )
            },
            queuedJobs: Int(try queue?.int64("count") ?? 0),
            oldestQueuedAt: try queue?.optionalTime("oldest")
        )
    }
}
