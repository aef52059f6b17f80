import FerryCore

/// The columns of a job that decide whether a lease on it may write.
struct JobLeaseRow: Sendable {
    var storageID: Int64
    var kind: StorageKind
    var state: JobState
    var leaseToken: String?
    var workerID: String?
    var instanceID: String?
    var cancelRequestedAt: FerryTime?
    var cancelReason: String?
}

extension JobLeaseRow {
    /// The select list of the fencing columns from table `jobs`.
    static let select =
        "storage_id, kind, state, lease_token, worker_id, instance_id, cancel_requested_at, cancel_reason"

    /// Decodes a row selected with ``select``.
    init(row: some StoredRow) throws {
        self.storageID = try row.int64("storage_id")
        self.kind = try row.rawEnum("kind", as: StorageKind.self)
        self.state = try row.rawEnum("state", as: JobState.self)
        self.leaseToken = try row.optionalString("lease_token")
        self.workerID = try row.optionalString("worker_id")
        self.instanceID = try row.optionalString("instance_id")
        self.cancelRequestedAt = try row.optionalTime("cancel_requested_at")
        self.cancelReason = try row.optionalString("cancel_reason")
    }
}

/// The job behind an active lease, as a fenced write needs it.
struct FencedJob: Sendable {
    var storageID: Int64
    var kind: StorageKind
    var cancelRequestedAt: FerryTime?
    var cancelReason: String?
}
