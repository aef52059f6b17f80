public import FerryProto

/// `-o json` of the replies that are not storages, tasks or catalogues: health, sync start and
/// cancel, job delete, annotation put and delete. Field names as in the `.proto`.
public enum ReplyJSON {
    /// `health`: `{"status": "SERVING"}`.
    public static func health(_ reply: FerryV1.HealthCheckResponse) -> String {
        JSON.encode(["status": Names.servingStatus(reply.status)])
    }

    /// `sync`: the job, whether it was already running, and the storage's sync state.
    public static func startSync(_ reply: FerryV1.StartSyncResponse) -> String {
        syncChange(reply.jobID, ("already_running", reply.alreadyRunning), reply.sync)
    }

    /// `cancel`: the job asked to stop, whether a cancel was recorded, and the sync state.
    public static func cancelSync(_ reply: FerryV1.CancelSyncResponse) -> String {
        syncChange(reply.jobID, ("cancel_requested", reply.cancelRequested), reply.sync)
    }

    /// `jobs delete`: the job named in the request beside the reply's `deleted`.
    public static func deleteJob(_ jobID: String, _ reply: FerryV1.DeleteJobResponse) -> String {
        JSON.encode(["job_id": jobID, "deleted": reply.deleted] as [String: Any])
    }

    /// `annotations put`: the annotations as stored and the count unchanged, over every call.
    public static func putAnnotations(_ reply: FerryV1.PutAnnotationsResponse) -> String {
        JSON.encode([
            "annotations": reply.annotations.map(TaskOutput.annotationObject),
            "unchanged": reply.unchanged,
        ] as [String: Any])
    }

    /// `annotations delete`: how many were deleted, over every call.
    public static func deleteAnnotations(_ reply: FerryV1.DeleteAnnotationsResponse) -> String {
        JSON.encode(["deleted": reply.deleted])
    }

    /// A reply that changed a storage's sync: the job, what happened to it, and the sync state
    /// after the call.
    private static func syncChange(_ jobID: String, _ outcome: (name: String, value: Bool), _ sync: FerryV1.SyncInfo?)
        -> String
    {
        JSON.encode([
            "job_id": jobID,
            outcome.name: outcome.value,
            "sync": StorageJSON.sync(sync ?? FerryV1.SyncInfo()),
        ] as [String: Any])
    }
}
