public import FerryProto
import Foundation

/// How ferryctl shows storages: tables and the `sync --watch` progress line (JSON: ``StorageJSON``;
/// `describe`: ``StorageDescription``).
public enum StorageOutput {
    /// The table for `storage list|get` (`-o table`, or `-o wide` with `wide`).
    public static func table(_ storages: [FerryV1.Storage], wide: Bool, nowMicros: Int64) -> Table {
        var headers = ["ID", "TITLE", "KIND", "PROVIDER", "STATUS", "LAST-SYNC", "COUNT"]
        if wide { headers += ["JOB", "WORKER", "REASON"] }
        let rows = storages.map { storage -> [String] in
            let spec = storage.spec ?? FerryV1.StorageSpec()
            let sync = storage.sync ?? FerryV1.SyncInfo()
            var row = [
                String(storage.id), spec.title, Names.kind(spec.kind), Names.provider(spec.provider),
                Names.status(sync.status), Age.format(unixMicros: sync.lastSyncUnixMicros, nowMicros: nowMicros),
                String(sync.lastSyncCount),
            ]
            if wide {
                row += [sync.lastSyncJob, sync.meta?.workerID ?? "", shortReason(sync)]
            }
            return row
        }
        return Table(headers: headers, rows: rows)
    }

    /// Why a sync ended as it did, in a few words: the termination reason the server found, or
    /// the first line of the worker's traceback, or how many items failed validation; for a
    /// queued sync, why it is waiting (no connected worker offers its kind and provider).
    public static func shortReason(_ sync: FerryV1.SyncInfo) -> String {
        if !sync.waitingReason.isEmpty { return "waiting: " + sync.waitingReason }
        let reason = Names.reason(sync.meta?.terminationReason ?? .unspecified)
        if !reason.isEmpty { return reason }
        switch sync.status {
        case .failed:
            let first = sync.traceback.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
            guard !first.isEmpty else { return "FAILED" }
            return first.count > 60 ? String(first.prefix(59)) + "…" : first
        case .completedWithErrors:
            return "\(sync.meta?.tasksFailedValidation ?? 0) invalid"
        default:
            return ""
        }
    }

    /// The `sync --watch` progress line: status; objects listed so far (the listing's total is
    /// known only at its end); tasks created and keys that existed; tasks created per second and
    /// elapsed time (on the server's claim and heartbeat times, so the client's clock does not
    /// matter); worker.
    public static func progressLine(_ storage: FerryV1.Storage) -> String {
        let sync = storage.sync ?? FerryV1.SyncInfo()
        let meta = sync.meta ?? FerryV1.SyncMeta()
        var line = "storage \(storage.id): \(Names.status(sync.status))"
        line += "  scanned=\(meta.objectsScanned) (listing so far)"
        line += "  created=\(sync.lastSyncCount)  existed=\(meta.tasksExisted)"
        if meta.tasksFailedValidation > 0 { line += "  invalid=\(meta.tasksFailedValidation)" }
        if let elapsed = elapsedMicros(sync), elapsed > 0 {
            let rate = Double(sync.lastSyncCount) * 1_000_000 / Double(elapsed)
            line += "  rate=\(Int(rate.rounded())) tasks/s  elapsed=\(DurationText.format(micros: elapsed))"
        }
        line += "  worker=\(meta.workerID.isEmpty ? "-" : meta.workerID)"
        if !sync.waitingReason.isEmpty { line += "  waiting: \(sync.waitingReason)" }
        return line
    }

    /// How long the sync has run, on the server's clock: its duration once settled, else from
    /// its claim to its newest heartbeat; `nil` before a worker claimed it.
    static func elapsedMicros(_ sync: FerryV1.SyncInfo) -> Int64? {
        let meta = sync.meta ?? FerryV1.SyncMeta()
        if meta.durationMicros > 0 { return meta.durationMicros }
        guard meta.timeInProgressUnixMicros > 0 else { return nil }
        return max(0, meta.timeLastPingUnixMicros - meta.timeInProgressUnixMicros)
    }

    /// One `storage list --watch` line for an event: the time it arrived, then the progress
    /// line, or `storage N: deleted`.
    public static func eventLine(_ event: FerryV1.WatchStoragesResponse, clock: String) -> String {
        guard event.type != .deleted, let storage = event.storage else {
            return "\(clock)  storage \(event.storageID): deleted"
        }
        var line = "\(clock)  " + progressLine(storage)
        let reason = shortReason(storage.sync ?? FerryV1.SyncInfo())
        if !reason.isEmpty, storage.sync?.waitingReason.isEmpty ?? true { line += "  reason: \(reason)" }
        return line
    }

    /// `--watch -o json`: one event on one line, `{"type": "changed", "storage_id": 3,
    /// "storage": {…}}` (`storage` is `null` for a deletion).
    public static func eventJSON(_ event: FerryV1.WatchStoragesResponse) -> String {
        JSON.line([
            "type": eventType(event.type),
            "storage_id": event.storageID,
            "storage": event.storage.map(StorageJSON.object) ?? NSNull(),
        ] as [String: Any])
    }

    /// An event type's short name: `current`, `caught_up`, `changed`, `progress`, `deleted`.
    public static func eventType(_ type: FerryV1.StorageEventType) -> String {
        switch type {
        case .current: "current"
        case .caughtUp: "caught_up"
        case .changed: "changed"
        case .progress: "progress"
        case .deleted: "deleted"
        default: "unspecified"
        }
    }

    /// What `sync --watch` prints once the sync has settled: the status line, then the reason
    /// and traceback of a failure.
    public static func summary(_ storage: FerryV1.Storage) -> String {
        let sync = storage.sync ?? FerryV1.SyncInfo()
        let meta = sync.meta ?? FerryV1.SyncMeta()
        var text = "sync \(sync.lastSyncJob.isEmpty ? "-" : sync.lastSyncJob) \(Names.status(sync.status)): "
        text += "\(sync.lastSyncCount) tasks created, \(meta.tasksExisted) already existed"
        if meta.tasksFailedValidation > 0 { text += ", \(meta.tasksFailedValidation) failed validation" }
        text += "\n"
        let reason = Names.reason(meta.terminationReason)
        if !reason.isEmpty { text += "reason: \(reason)\n" }
        if !sync.traceback.isEmpty {
            text += "traceback:\n" + sync.traceback + (sync.traceback.hasSuffix("\n") ? "" : "\n")
        }
        return text
    }
}
