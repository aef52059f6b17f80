public import FerryProto

/// How `ferryctl workers list` shows the worker processes a server knows.
public enum WorkerOutput {
    /// Columns WORKER STATE JOBS LAST-SEEN VERSION HOST (wide: INSTANCE CONNECTED-SINCE KINDS
    /// PROVIDERS too); ages kubectl-style at `nowMicros`.
    public static func table(_ workers: [FerryV1.WorkerInfo], wide: Bool, nowMicros: Int64) -> Table {
        var headers = ["WORKER", "STATE", "JOBS", "LAST-SEEN", "VERSION", "HOST"]
        if wide { headers += ["INSTANCE", "CONNECTED-SINCE", "KINDS", "PROVIDERS"] }
        let rows = workers.map { worker -> [String] in
            var row = [
                worker.workerID, worker.connected ? "connected" : "gone", String(worker.jobsHeld),
                Age.format(unixMicros: worker.lastSeenUnixMicros, nowMicros: nowMicros), worker.version, worker.host,
            ]
            if wide {
                row += [
                    worker.instanceID,
                    worker.connected ? Age.format(unixMicros: worker.connectedSinceUnixMicros, nowMicros: nowMicros) : "-",
                    worker.kinds.map(Names.kind).joined(separator: ","),
                    worker.providers.map(Names.provider).joined(separator: ","),
                ]
            }
            return row
        }
        return Table(headers: headers, rows: rows)
    }

    /// `workers list -o json`: `{"workers": […]}`, every field, instants as RFC 3339 strings
    /// (`connected_since` is `null` for a worker that is gone).
    public static func json(_ workers: [FerryV1.WorkerInfo]) -> String {
        JSON.encode([
            "workers": workers.map { worker -> [String: Any] in
                [
                    "worker_id": worker.workerID,
                    "instance_id": worker.instanceID,
                    "version": worker.version,
                    "host": worker.host,
                    "kinds": worker.kinds.map(Names.kind),
                    "providers": worker.providers.map(Names.provider),
                    "connected": worker.connected,
                    "connected_since": JSON.time(worker.connectedSinceUnixMicros),
                    "last_seen": JSON.time(worker.lastSeenUnixMicros),
                    "jobs_held": worker.jobsHeld,
                ]
            }
        ])
    }
}
