public import FerryProto
import Foundation

/// How ferryctl shows storages: tables, JSON and the `sync --watch` progress line.
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

    /// The JSON object for one storage: every field of the reply. Only secret names appear; the
    /// server never returns values.
    public static func jsonObject(_ storage: FerryV1.Storage) -> [String: Any] {
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
            "created_unix_micros": storage.createdUnixMicros,
            "updated_unix_micros": storage.updatedUnixMicros,
        ]
        if let local = spec.local { object["local"] = ["path": local.path] }
        if let s3 = spec.s3 {
            object["s3"] = [
                "bucket": s3.bucket, "region": s3.region, "endpoint_url": s3.endpointURL,
                "force_path_style": s3.forcePathStyle, "sse_kms_key_id": s3.sseKMSKeyID,
            ] as [String: Any]
        }
        if let gcs = spec.gcs {
            object["gcs"] = ["bucket": gcs.bucket, "project": gcs.project, "endpoint_url": gcs.endpointURL]
        }
        if let azure = spec.azureBlob {
            object["azure_blob"] = [
                "container": azure.container, "account_name": azure.accountName, "endpoint_url": azure.endpointURL,
            ]
        }
        if let redis = spec.redis {
            object["redis"] = ["host": redis.host, "port": Int(redis.port), "db": Int(redis.db), "use_tls": redis.useTLS]
        }
        let sync = storage.sync ?? FerryV1.SyncInfo()
        let meta = sync.meta ?? FerryV1.SyncMeta()
        object["sync"] = [
            "status": Names.status(sync.status),
            "last_sync_unix_micros": sync.lastSyncUnixMicros,
            "last_sync_count": sync.lastSyncCount,
            "last_sync_job": sync.lastSyncJob,
            "traceback": sync.traceback,
            "waiting_reason": sync.waitingReason,
            "attempts": Int(meta.attempts),
            "time_queued_unix_micros": meta.timeQueuedUnixMicros,
            "time_in_progress_unix_micros": meta.timeInProgressUnixMicros,
            "time_last_ping_unix_micros": meta.timeLastPingUnixMicros,
            "time_completed_unix_micros": meta.timeCompletedUnixMicros,
            "time_failure_unix_micros": meta.timeFailureUnixMicros,
            "duration_micros": meta.durationMicros,
            "time_cancel_requested_unix_micros": meta.timeCancelRequestedUnixMicros,
            "tasks_existed": meta.tasksExisted,
            "tasks_failed_validation": meta.tasksFailedValidation,
            "total_annotations": meta.totalAnnotations,
            "objects_scanned": meta.objectsScanned,
            "bytes_transferred": meta.bytesTransferred,
            "worker_id": meta.workerID,
            "worker_instance_id": meta.workerInstanceID,
            "termination_reason": Names.reason(meta.terminationReason),
        ] as [String: Any]
        return object
    }

    /// Pretty, key-sorted JSON for one storage.
    public static func json(_ storage: FerryV1.Storage) -> String {
        JSON.encode(jsonObject(storage))
    }

    /// Pretty, key-sorted JSON array for several storages.
    public static func json(_ storages: [FerryV1.Storage]) -> String {
        JSON.encode(storages.map(jsonObject))
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

/// JSON text from JSONSerialization objects: pretty-printed, keys sorted, slashes unescaped.
public enum JSON {
    public static func encode(_ object: Any) -> String {
        let data = (try? JSONSerialization.data(
            withJSONObject: object,
            options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        )) ?? Data("null".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
