import Metrics

/// What `ferry-worker` counts for `/metrics` (no-ops until `metrics.listen` bootstraps the
/// backend). Provider requests are timed and their retries counted by `RetryPolicy` itself.
enum WorkerMetrics {
    private static let tasksImported = Counter(label: "ferry_worker_tasks_imported_total")
    private static let objectsExported = Counter(label: "ferry_worker_objects_exported_total")
    private static let bytesRead = Counter(label: "ferry_worker_bytes_read_total")
    private static let jobsRunning = Meter(label: "ferry_worker_jobs_running")

    /// Makes every series exist at 0 from the start (right after the backend's bootstrap), so a
    /// scrape before the first job shows them.
    static func register() {
        _ = (tasksImported, objectsExported, bytesRead, jobsRunning)
    }

    /// Tasks an import created (acknowledged by the server).
    static func imported(_ tasks: Int) { tasksImported.increment(by: tasks) }

    /// Objects an export wrote or deleted (acknowledged by the server).
    static func exported(_ objects: Int) { objectsExported.increment(by: objects) }

    /// Bytes of objects read for an import.
    static func read(_ bytes: Int) { bytesRead.increment(by: bytes) }

    /// A job started (`+1`) or ended (`-1`).
    static func jobRunning(_ delta: Int) {
        if delta > 0 { jobsRunning.increment() } else { jobsRunning.decrement() }
    }
}
