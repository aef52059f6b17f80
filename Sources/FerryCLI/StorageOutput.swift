public import FerryProto

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

    /// The `sync --watch` progress line: status, count, tasks existed, worker.
    public static func progressLine(_ storage: FerryV1.Storage) -> String {
        let sync = storage.sync ?? FerryV1.SyncInfo()
        let meta = sync.meta ?? FerryV1.SyncMeta()
        var line = "storage \(storage.id): \(Names.status(sync.status))"
        line += "  count=\(sync.lastSyncCount)  existed=\(meta.tasksExisted)"
        if meta.tasksFailedValidation > 0 { line += "  invalid=\(meta.tasksFailedValidation)" }
        line += "  worker=\(meta.workerID.isEmpty ? "-" : meta.workerID)"
        if !sync.waitingReason.isEmpty { line += "  waiting: \(sync.waitingReason)" }
        return line
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
