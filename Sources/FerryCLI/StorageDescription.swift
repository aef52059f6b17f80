public import FerryProto

/// What `ferryctl storage describe` prints: every field of a storage, for people.
///
/// Identity and bookkeeping first, then the settings (secret names only: the server never
/// returns values) with the location, then the sync: its status and why, the job and the worker
/// that ran it, its timeline with ages at `nowMicros`, its counters and its traceback.
public enum StorageDescription {
    /// The description of `storage` as text.
    public static func text(_ storage: FerryV1.Storage, nowMicros: Int64) -> String {
        fields(storage, nowMicros: nowMicros).render()
    }

    /// The description of `storage` as a list of labelled values.
    public static func fields(_ storage: FerryV1.Storage, nowMicros: Int64) -> FieldList {
        let spec = storage.spec ?? FerryV1.StorageSpec()
        func time(_ micros: Int64) -> String { TimeText.withAge(unixMicros: micros, nowMicros: nowMicros) }
        return FieldList([
            .field("ID", String(storage.id)),
            .field("Title", spec.title),
            .field("Description", spec.description),
            .field("Project", String(spec.projectID)),
            .field("Kind", Names.kind(spec.kind)),
            .field("Provider", Names.provider(spec.provider)),
            .field("Revision", String(storage.revision)),
            .field("Created", time(storage.createdUnixMicros)),
            .field("Updated", time(storage.updatedUnixMicros)),
            .section("Settings", settings(spec, secretNames: storage.credentialNames)),
            .section("Sync", sync(storage.sync ?? FerryV1.SyncInfo(), time: time)),
        ])
    }

    private static func settings(_ spec: FerryV1.StorageSpec, secretNames: [String]) -> FieldList {
        var entries: [FieldList.Entry] = [
            .field("Prefix", spec.prefix),
            .field("Regex filter", spec.regexFilter),
            .field("Recursive scan", String(spec.recursiveScan)),
            .field("Use blob URLs", String(spec.useBlobURLs)),
            .field("Presign", String(spec.presign)),
            .field("Presign TTL", spec.presignTTLMicros == 0 ? "server default" : DurationText.format(micros: spec.presignTTLMicros)),
            .field("Can delete objects", String(spec.canDeleteObjects)),
            .field("Export all", String(spec.exportAll)),
            .field("Export on change", String(spec.exportOnChange)),
            .field("Sync interval", spec.syncIntervalMicros == 0 ? "off" : DurationText.format(micros: spec.syncIntervalMicros)),
            .field("Dataset", spec.datasetID == 0 ? "" : String(spec.datasetID)),
            .field("Synchronizable", String(spec.synchronizable)),
            .field("Secrets", secretNames.isEmpty ? "(none)" : secretNames.joined(separator: ", ")),
        ]
        for location in StorageLocation.all(of: spec) {
            entries.append(.section(
                "Location (\(location.name))",
                FieldList(location.fields.map { .field($0.label, "\($0.value)") })))
        }
        return FieldList(entries)
    }

    private static func sync(_ sync: FerryV1.SyncInfo, time: (Int64) -> String) -> FieldList {
        let meta = sync.meta ?? FerryV1.SyncMeta()
        let counters = [
            ("Tasks existed", meta.tasksExisted), ("Failed validation", meta.tasksFailedValidation),
            ("Annotations written", meta.totalAnnotations), ("Objects scanned", meta.objectsScanned),
            ("Bytes transferred", meta.bytesTransferred),
        ]
        return FieldList([
            .field("Status", Names.status(sync.status)),
            .field("Termination reason", Names.reason(meta.terminationReason)),
            .field("Waiting reason", sync.waitingReason),
            .field("Job", sync.lastSyncJob),
            .field("Worker", meta.workerID),
            .field("Worker instance", meta.workerInstanceID),
            .field("Attempts", String(meta.attempts)),
            .field("Last sync", time(sync.lastSyncUnixMicros)),
            .field("Last sync count", String(sync.lastSyncCount)),
            .section("Timeline", FieldList([
                .field("Queued", time(meta.timeQueuedUnixMicros)),
                .field("In progress", time(meta.timeInProgressUnixMicros)),
                .field("Last ping", time(meta.timeLastPingUnixMicros)),
                .field("Completed", time(meta.timeCompletedUnixMicros)),
                .field("Failed", time(meta.timeFailureUnixMicros)),
                .field("Cancel requested", time(meta.timeCancelRequestedUnixMicros)),
                .field("Duration", meta.durationMicros == 0 ? "" : DurationText.format(micros: meta.durationMicros)),
            ])),
            .section("Counters", FieldList(counters.map { .field($0, String($1)) })),
            .block("Traceback", sync.traceback),
        ])
    }
}
