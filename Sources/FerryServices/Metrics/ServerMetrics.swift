import FerryCore
import Metrics

/// What `ferryd` counts for `/metrics`. Names and labels follow Prometheus conventions, and no
/// label takes an unbounded value (never a storage, job or worker id). Until `metrics.listen`
/// bootstraps the backend these are no-ops.
enum ServerMetrics {
    private static let heartbeatsReceived = Counter(label: "ferry_heartbeats_received_total")
    private static let heartbeatsPersisted = Counter(label: "ferry_heartbeats_persisted_total")
    private static let workersConnected = Gauge(label: "ferry_workers_connected")
    private static let queueDepth = Gauge(label: "ferry_queue_depth")
    private static let oldestQueuedAge = Gauge(label: "ferry_queue_oldest_age_seconds")

    /// Makes every unlabelled series exist at 0 from the start (right after the backend's
    /// bootstrap), so a scrape before the first heartbeat shows them.
    static func register() {
        _ = (heartbeatsReceived, heartbeatsPersisted, workersConnected, queueDepth, oldestQueuedAge)
    }

    /// A heartbeat arrived on a Heartbeat stream (each is answered).
    static func heartbeatReceived() { heartbeatsReceived.increment() }

    /// Heartbeat progress was written to the store (coalesced: at most once per job per ping
    /// interval).
    static func heartbeatPersisted() { heartbeatsPersisted.increment() }

    /// Worker ids with a call open to this server, jobs waiting for a worker, and how long the
    /// oldest of them has waited (0 with none).
    static func sample(workersConnected workers: Int, queued: Int, oldestQueuedSeconds: Double) {
        workersConnected.record(workers)
        queueDepth.record(queued)
        oldestQueuedAge.record(oldestQueuedSeconds)
    }

    /// A sync was queued (StartSync, or an export on change).
    static func syncStarted(kind: StorageKind) {
        Counter(label: "ferry_syncs_started_total", dimensions: [("kind", kind.rawValue)]).increment()
    }

    /// Termination detection settled a sync.
    static func verdict(_ reason: TerminationReason) {
        Counter(label: "ferry_sync_verdicts_total", dimensions: [("reason", reason.wireName)]).increment()
    }

    /// Storages by kind, provider and status, as the store counts them now.
    static func storages(kind: StorageKind, provider: StorageProvider, status: SyncStatus, count: Int) {
        Gauge(
            label: "ferry_storages",
            dimensions: [("kind", kind.rawValue), ("provider", provider.rawValue), ("status", status.rawValue)]
        ).record(count)
    }
}
