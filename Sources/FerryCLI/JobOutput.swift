public import FerryProto

/// How `ferryctl jobs list` shows the queue, and the queue line above `storage list`.
public enum JobOutput {
    /// Columns JOB STORAGE KIND PROVIDER STATE AGE WORKER (wide: INSTANCE CLAIMED LAST-PROGRESS
    /// CANCEL too); ages at `nowMicros`.
    public static func table(_ jobs: [FerryV1.JobInfo], wide: Bool, nowMicros: Int64) -> Table {
        var headers = ["JOB", "STORAGE", "KIND", "PROVIDER", "STATE", "AGE", "WORKER"]
        if wide { headers += ["INSTANCE", "CLAIMED", "LAST-PROGRESS", "CANCEL"] }
        let rows = jobs.map { job -> [String] in
            var row = [
                job.jobID, String(job.storageID), Names.kind(job.kind), Names.provider(job.provider), state(job.state),
                Age.format(unixMicros: job.createdUnixMicros, nowMicros: nowMicros),
                job.workerID.isEmpty ? "-" : job.workerID,
            ]
            if wide {
                row += [
                    job.instanceID.isEmpty ? "-" : job.instanceID,
                    Age.format(unixMicros: job.claimedUnixMicros, nowMicros: nowMicros),
                    Age.format(unixMicros: job.lastProgressUnixMicros, nowMicros: nowMicros),
                    job.cancelRequested ? "requested" : "-",
                ]
            }
            return row
        }
        return Table(headers: headers, rows: rows)
    }

    /// The queue in one line: `queue: 2 queued (oldest 45s), 1 running; 3 workers connected`
    /// (the workers part only when `connectedWorkers` is given).
    public static func queueLine(_ reply: FerryV1.ListJobsResponse, connectedWorkers: Int32?, nowMicros: Int64)
        -> String
    {
        var line = "queue: \(reply.queuedCount) queued"
        if reply.queuedCount > 0 {
            line += " (oldest \(Age.format(unixMicros: reply.oldestQueuedUnixMicros, nowMicros: nowMicros)))"
        }
        line += ", \(reply.runningCount) running"
        if let connectedWorkers {
            line += "; \(connectedWorkers) worker\(connectedWorkers == 1 ? "" : "s") connected"
        }
        return line
    }

    /// `jobs list -o json`: the reply, every field, instants as RFC 3339 strings.
    public static func json(_ reply: FerryV1.ListJobsResponse) -> String {
        JSON.encode([
            "jobs": reply.jobs.map { job -> [String: Any] in
                [
                    "job_id": job.jobID,
                    "storage_id": job.storageID,
                    "kind": Names.kind(job.kind),
                    "provider": Names.provider(job.provider),
                    "state": state(job.state),
                    "worker_id": job.workerID,
                    "instance_id": job.instanceID,
                    "created": JSON.time(job.createdUnixMicros),
                    "claimed": JSON.time(job.claimedUnixMicros),
                    "last_progress": JSON.time(job.lastProgressUnixMicros),
                    "cancel_requested": job.cancelRequested,
                ]
            },
            "next_page_token": reply.nextPageToken,
            "queued_count": reply.queuedCount,
            "running_count": reply.runningCount,
            "oldest_queued": JSON.time(reply.oldestQueuedUnixMicros),
        ])
    }

    /// A job state's short name: `queued`, `running`.
    public static func state(_ state: FerryV1.JobState) -> String {
        switch state {
        case .queued: "queued"
        case .running: "running"
        default: "unspecified"
        }
    }
}
