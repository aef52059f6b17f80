import FerryCore

/// How a ``Storage`` and its ``SyncInfo`` map to the `storages` table.
///
/// The sync state is stored as real columns, not a blob, so that the compare-and-sets
/// (`WHERE status IN ('queued', 'in_progress') AND last_sync_job = ?`) and the list filters are
/// plain SQL over indexed columns.
enum StorageColumns {
    /// The select list of a storage row from table alias `s` (never the sealed secrets).
    static let select =
        [
            "id", "kind", "provider", "project_id", "settings", "secret_names", "revision", "created_at",
            "updated_at",
        ].map { "s.\($0) AS \($0)" }.joined(separator: ", ") + ", " + SyncInfoColumns.select

    /// Decodes a row selected with ``select``.
    static func storage(from row: some StoredRow) throws -> Storage {
        let id = try row.int64("id")
        do {
            let projectID = try row.int64("project_id")
            let settings = try SettingsDocument.decode(try row.string("settings"), projectID: projectID)
            let provider = try row.rawEnum("provider", as: StorageProvider.self)
            guard provider == settings.provider else {
                throw StoreError.corrupt("Its provider column (\(provider)) disagrees with its settings.")
            }
            return Storage(
                id: id,
                kind: try row.rawEnum("kind", as: StorageKind.self),
                settings: settings,
                secretNames: try SecretsCoding.decodeNames(try row.string("secret_names")),
                syncInfo: try SyncInfoColumns.syncInfo(from: row),
                createdAt: try row.time("created_at"),
                updatedAt: try row.time("updated_at"),
                revision: try row.int64("revision")
            )
        } catch let error as StoreError {
            throw StoreError(code: error.code, message: "Storage \(id): \(error.message)", cause: error.cause)
        }
    }
}

/// How a ``SyncInfo`` maps to the sync columns of `storages`.
enum SyncInfoColumns {
    /// The columns, in the order of ``binds(_:)``.
    static let names = [
        "status", "last_sync", "last_sync_count", "last_sync_job", "traceback", "attempts", "time_queued",
        "time_in_progress", "time_last_ping", "time_completed", "time_failure", "duration",
        "time_cancel_requested", "tasks_existed", "tasks_failed_validation", "total_annotations",
        "objects_scanned", "bytes_transferred", "worker_id", "worker_instance_id", "termination_reason",
    ]

    /// The select list from table alias `s`.
    static let select = names.map { "s.\($0) AS \($0)" }.joined(separator: ", ")

    /// The values of ``names`` for `info`.
    static func binds(_ info: SyncInfo) -> [ColumnValue] {
        let meta = info.meta
        return [
            .text(info.status.rawValue),
            .time(info.lastSync),
            .int64(info.lastSyncCount),
            .text(info.lastSyncJob),
            .text(info.traceback),
            .int64(Int64(meta.attempts)),
            .time(meta.timeQueued),
            .time(meta.timeInProgress),
            .time(meta.timeLastPing),
            .time(meta.timeCompleted),
            .time(meta.timeFailure),
            .int64(meta.duration?.microseconds),
            .time(meta.timeCancelRequested),
            .int64(meta.tasksExisted),
            .int64(meta.tasksFailedValidation),
            .int64(meta.totalAnnotations),
            .int64(meta.objectsScanned),
            .int64(meta.bytesTransferred),
            .text(meta.workerID),
            .text(meta.workerInstanceID),
            .text(meta.terminationReason?.rawValue),
        ]
    }

    /// Decodes the sync columns of a row.
    static func syncInfo(from row: some StoredRow) throws -> SyncInfo {
        let reason = try row.optionalString("termination_reason").map { raw in
            guard let reason = TerminationReason(rawValue: raw) else {
                throw StoreError.corrupt("Unknown termination reason '\(raw)'.")
            }
            return reason
        }
        let meta = SyncMeta(
            attempts: Int(try row.int64("attempts")),
            timeQueued: try row.optionalTime("time_queued"),
            timeInProgress: try row.optionalTime("time_in_progress"),
            timeLastPing: try row.optionalTime("time_last_ping"),
            timeCompleted: try row.optionalTime("time_completed"),
            timeFailure: try row.optionalTime("time_failure"),
            duration: try row.optionalInt64("duration").map(FerryDuration.init(microseconds:)),
            timeCancelRequested: try row.optionalTime("time_cancel_requested"),
            tasksExisted: try row.int64("tasks_existed"),
            tasksFailedValidation: try row.int64("tasks_failed_validation"),
            totalAnnotations: try row.int64("total_annotations"),
            objectsScanned: try row.int64("objects_scanned"),
            bytesTransferred: try row.int64("bytes_transferred"),
            workerID: try row.optionalString("worker_id"),
            workerInstanceID: try row.optionalString("worker_instance_id"),
            terminationReason: reason
        )
        return SyncInfo(
            status: try row.rawEnum("status", as: SyncStatus.self),
            lastSync: try row.optionalTime("last_sync"),
            lastSyncCount: try row.int64("last_sync_count"),
            lastSyncJob: try row.optionalString("last_sync_job"),
            traceback: try row.optionalString("traceback"),
            meta: meta
        )
    }
}

extension Storage {
    /// A storage just inserted as `id`: revision 1, never synced, created and updated `now`.
    static func inserted(id: Int64, kind: StorageKind, settings: StorageSettings, secretNames: [String], now: FerryTime)
        -> Storage
    {
        Storage(
            id: id, kind: kind, settings: settings, secretNames: secretNames, syncInfo: .initial, createdAt: now,
            updatedAt: now, revision: 1)
    }
}
