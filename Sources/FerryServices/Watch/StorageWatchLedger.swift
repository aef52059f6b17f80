import FerryCore

/// What one WatchStorages call has told its client, and what it must tell next.
///
/// Pure, so the rules are tested without a server: a new storage, or a change of status, sync
/// job, verdict, settings or secrets, goes out at once as ``Event/changed(_:)``; a change of
/// progress only (counters, heartbeat times) goes out as ``Event/progress(_:)`` at most once per
/// interval per storage, and is otherwise kept back, so a later read sees it again; a deletion
/// goes out once. Time is the caller's (any monotonic clock, as a span since some start).
struct StorageWatchLedger: Sendable {
    /// One thing to tell the client.
    enum Event: Sendable, Equatable {
        case changed(Storage)
        case progress(Storage)
        case deleted(Int64)
    }

    /// Each storage as last told, by id.
    private(set) var told: [Int64: Storage] = [:]
    private var storageOfJob: [String: Int64] = [:]
    /// When each storage's last progress event went out.
    private var progressSentAt: [Int64: Duration] = [:]

    /// Records a storage told as part of the current state when the watch opened.
    mutating func tellCurrent(_ storage: Storage) {
        remember(storage)
    }

    /// The event for a storage as just read, if any, recorded as told.
    ///
    /// - Parameters:
    ///   - storage: The storage as read.
    ///   - now: The current time on the caller's monotonic clock.
    ///   - progressEvery: The shortest time between two progress events of one storage.
    mutating func observe(_ storage: Storage, at now: Duration, progressEvery: Duration) -> Event? {
        guard let old = told[storage.id] else {
            remember(storage)
            return .changed(storage)
        }
        guard old != storage else { return nil }
        if Self.isStateChange(from: old, to: storage) {
            remember(storage)
            return .changed(storage)
        }
        if let last = progressSentAt[storage.id], now - last < progressEvery { return nil }
        progressSentAt[storage.id] = now
        remember(storage)
        return .progress(storage)
    }

    /// The event for a storage found deleted, if it was told.
    mutating func observeGone(_ id: Int64) -> Event? {
        guard let old = told.removeValue(forKey: id) else { return nil }
        progressSentAt[id] = nil
        if let job = old.syncInfo.lastSyncJob { storageOfJob[job] = nil }
        return .deleted(id)
    }

    /// The told storage whose current or last sync job this is.
    func storageID(ofJob jobID: String) -> Int64? {
        storageOfJob[jobID]
    }

    /// The storages last told as queued or in progress.
    var activeIDs: Set<Int64> {
        Set(told.values.lazy.filter { $0.syncInfo.status.isActive }.map(\.id))
    }

    /// Whether the change from `old` to `new` is more than progress: its status, sync job, verdict,
    /// traceback, cancel request, worker, settings or secrets differ.
    static func isStateChange(from old: Storage, to new: Storage) -> Bool {
        let before = old.syncInfo
        let after = new.syncInfo
        return before.status != after.status
            || before.lastSyncJob != after.lastSyncJob
            || before.meta.terminationReason != after.meta.terminationReason
            || before.traceback != after.traceback
            || before.meta.timeCancelRequested != after.meta.timeCancelRequested
            || before.meta.workerInstanceID != after.meta.workerInstanceID
            || old.revision != new.revision
            || old.settings != new.settings
            || old.secretNames != new.secretNames
    }

    private mutating func remember(_ storage: Storage) {
        if let previous = told[storage.id]?.syncInfo.lastSyncJob, previous != storage.syncInfo.lastSyncJob {
            storageOfJob[previous] = nil
        }
        told[storage.id] = storage
        if let job = storage.syncInfo.lastSyncJob { storageOfJob[job] = storage.id }
    }
}
