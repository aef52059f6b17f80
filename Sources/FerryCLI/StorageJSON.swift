public import FerryProto
import Foundation

/// The JSON of storages and their sync state, as `-o json` prints them.
///
/// Every field of the reply appears, named as in the `.proto` (the spec's fields at the top
/// level beside the storage's own, the sync meta's inside `sync`), with enums by their short
/// names (``Names``). Instants are RFC 3339 strings named without `_unix_micros` (`created`,
/// `sync.time_queued`), `null` when not set; durations stay integers in microseconds. Only
/// secret names appear: the server never returns values.
public enum StorageJSON {
    /// One storage.
    public static func object(_ storage: FerryV1.Storage) -> [String: Any] {
        let spec = storage.spec ?? FerryV1.StorageSpec()
        var object: [String: Any] = [
            "id": storage.id,
            "project_id": spec.projectID,
            "title": spec.title,
            "description": spec.description,
            "kind": Names.kind(spec.kind),
            "provider": Names.provider(spec.provider),
            "prefix": spec.prefix,
            "regex_filter": spec.regexFilter,
            "recursive_scan": spec.recursiveScan,
            "use_blob_urls": spec.useBlobURLs,
            "presign": spec.presign,
            "presign_ttl_micros": spec.presignTTLMicros,
            "can_delete_objects": spec.canDeleteObjects,
            "export_all": spec.exportAll,
            "export_on_change": spec.exportOnChange,
            "sync_interval_micros": spec.syncIntervalMicros,
            "dataset_id": spec.datasetID,
            "synchronizable": spec.synchronizable,
            "credential_names": storage.credentialNames,
            "revision": storage.revision,
            "created": JSON.time(storage.createdUnixMicros),
            "updated": JSON.time(storage.updatedUnixMicros),
            "sync": sync(storage.sync ?? FerryV1.SyncInfo()),
        ]
        for location in StorageLocation.all(of: spec) {
            object[location.name] = Dictionary(uniqueKeysWithValues: location.fields.map { ($0.name, $0.value) })
        }
        return object
    }

    /// A storage's sync state, its meta flattened into it.
    public static func sync(_ sync: FerryV1.SyncInfo) -> [String: Any] {
        let meta = sync.meta ?? FerryV1.SyncMeta()
        return [
            "status": Names.status(sync.status),
            "last_sync": JSON.time(sync.lastSyncUnixMicros),
            "last_sync_count": sync.lastSyncCount,
            "last_sync_job": sync.lastSyncJob,
            "traceback": sync.traceback,
            "waiting_reason": sync.waitingReason,
            "attempts": Int(meta.attempts),
            "time_queued": JSON.time(meta.timeQueuedUnixMicros),
            "time_in_progress": JSON.time(meta.timeInProgressUnixMicros),
            "time_last_ping": JSON.time(meta.timeLastPingUnixMicros),
            "time_completed": JSON.time(meta.timeCompletedUnixMicros),
            "time_failure": JSON.time(meta.timeFailureUnixMicros),
            "duration_micros": meta.durationMicros,
            "time_cancel_requested": JSON.time(meta.timeCancelRequestedUnixMicros),
            "tasks_existed": meta.tasksExisted,
            "tasks_failed_validation": meta.tasksFailedValidation,
            "total_annotations": meta.totalAnnotations,
            "objects_scanned": meta.objectsScanned,
            "bytes_transferred": meta.bytesTransferred,
            "worker_id": meta.workerID,
            "worker_instance_id": meta.workerInstanceID,
            "termination_reason": Names.reason(meta.terminationReason),
        ]
    }

    /// One storage (`storage get|create|update|describe`).
    public static func json(_ storage: FerryV1.Storage) -> String {
        JSON.encode(object(storage))
    }

    /// `storage list`: the reply with every page's storages, `{"storages": […], "total_count",
    /// "connected_workers"}`.
    public static func json(_ list: FerryV1.ListStoragesResponse) -> String {
        JSON.encode([
            "storages": list.storages.map(object),
            "total_count": list.totalCount,
            "connected_workers": Int(list.connectedWorkers),
        ] as [String: Any])
    }
}
