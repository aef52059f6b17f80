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

/// The job behind an active lease, as a fenced write needs it.
struct FencedJob: Sendable {
    var storageID: Int64
    var kind: StorageKind
    var cancelRequestedAt: FerryTime?
    var cancelReason: String?
}
