import FerryCore

/// How a ``JobRecord`` maps to the `jobs` table, and a job row to FerryCore's ``JobObservation``.
///
/// Selected columns are prefixed `job_` so a job can be selected beside a storage row (whose sync
/// columns include a `worker_id` of their own).
enum JobColumns {
    static let names = [
        "id", "storage_id", "kind", "provider", "state", "attempt", "only_new", "full_export", "lease_token", "worker_id",
        "instance_id", "checkpoint_last_key", "checkpoint_state", "checkpoint_updated_at", "created_at",
        "claimed_at", "last_progress_at", "finished_at", "cancel_requested_at", "cancel_reason",
    ]

    /// The select list of a job row from table alias `j`.
    static let select = names.map { "j.\($0) AS job_\($0)" }.joined(separator: ", ")

    /// The select list for an observation: the job (alias `j`, possibly absent through a LEFT
    /// JOIN) and its holder's current instance (alias `w`).
    static let observationSelect =
        "j.id AS job_id, j.state AS job_state, j.worker_id AS job_worker_id, j.instance_id AS job_instance_id, "
        + "j.cancel_requested_at AS job_cancel_requested_at, j.cancel_reason AS job_cancel_reason, "
        + "w.current_instance_id AS worker_current_instance_id"

    /// Decodes a row selected with ``select``.
    static func job(from row: some StoredRow) throws -> JobRecord {
        let id = try row.string("job_id")
        let checkpoint = try row.optionalString("job_checkpoint_last_key").map { lastKey in
            SyncCheckpoint(
                lastKey: lastKey,
                state: try row.optionalBytes("job_checkpoint_state") ?? [],
                updatedAt: try row.optionalTime("job_checkpoint_updated_at")
            )
        }
        return JobRecord(
            id: id,
            storageID: try row.int64("job_storage_id"),
            kind: try row.rawEnum("job_kind", as: StorageKind.self),
            provider: try row.rawEnum("job_provider", as: StorageProvider.self),
            state: try row.rawEnum("job_state", as: JobState.self),
            attempt: Int(try row.int64("job_attempt")),
            options: SyncOptions(onlyNew: try row.bool("job_only_new"), fullExport: try row.bool("job_full_export")),
            leaseToken: try row.optionalString("job_lease_token"),
            workerID: try row.optionalString("job_worker_id"),
            instanceID: try row.optionalString("job_instance_id"),
            checkpoint: checkpoint,
            createdAt: try row.time("job_created_at"),
            claimedAt: try row.optionalTime("job_claimed_at"),
            lastProgressAt: try row.optionalTime("job_last_progress_at"),
            finishedAt: try row.optionalTime("job_finished_at"),
            cancelRequestedAt: try row.optionalTime("job_cancel_requested_at"),
            cancelReason: try row.optionalString("job_cancel_reason")
        )
    }

    /// Decodes a row selected with ``observationSelect``; no job row is ``JobObservation/missing``.
    ///
    /// A job that `succeeded` while its storage is still active cannot come from this store
    /// (completion writes both in one transaction); should one appear (a hand-edited database), it
    /// is reported as `failed`: the job is over and the storage was never updated, which is what
    /// `JOB_FAILED` means.
    static func observation(from row: some StoredRow) throws -> JobObservation {
        guard let jobID = try row.optionalString("job_id") else { return .missing }
        let state: ObservedJob.State
        switch try row.rawEnum("job_state", as: JobState.self) {
        case .queued: state = .queued
        case .running: state = .running
        case .succeeded, .failed: state = .failed
        case .lost: state = .lost
        case .cancelled: state = .cancelled
        }
        var lease: ObservedLease?
        if let workerID = try row.optionalString("job_worker_id"),
            let instanceID = try row.optionalString("job_instance_id")
        {
            let current = try row.optionalString("worker_current_instance_id")
            lease = ObservedLease(
                workerID: workerID,
                instanceID: instanceID,
                holderIsCurrentInstance: current == instanceID
            )
        }
        return .present(
            ObservedJob(
                jobID: jobID,
                state: state,
                lease: lease,
                cancelRequestedAt: try row.optionalTime("job_cancel_requested_at"),
                cancelReason: try row.optionalString("job_cancel_reason")
            )
        )
    }
}
