import FerryCore
import FerryStore
import Logging
import ServiceLifecycle

/// Samples the gauges that come from state rather than events, every `interval`: storages by
/// kind, provider and status, the queue's depth and oldest wait, and the connected workers. A
/// group that empties is set to 0, so a scrape never shows a count that is gone.
struct StatisticsSampler: Service {
    let store: any FerryStore
    let instances: WorkerInstances
    let clock: any FerryClock
    let interval: Duration
    let logger: Logger

    /// Samples until graceful shutdown, then returns (a throw would cancel the whole service
    /// group, and the store would not be closed).
    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            var shown = Set<StoreStatistics.StorageGroup>()
            // Bounded by cancellation (graceful shutdown).
            while !Task.isCancelled {
                shown = await sample(replacing: shown)
                try await Task.sleep(for: interval)
            }
        }
    }

    /// Records one sample; returns the storage groups it recorded (with their counts set to 0).
    private func sample(replacing shown: Set<StoreStatistics.StorageGroup>) async -> Set<StoreStatistics.StorageGroup> {
        let statistics: StoreStatistics
        do {
            statistics = try await store.statistics()
        } catch {
            logger.debug("Could not sample store statistics", metadata: ["error": "\(error)"])
            return shown
        }
        let age = statistics.oldestQueuedAt.map { clock.now().unixMicroseconds - $0.unixMicroseconds } ?? 0
        ServerMetrics.sample(
            workersConnected: instances.connectedCount, queued: statistics.queuedJobs,
            oldestQueuedSeconds: Double(max(0, age)) / 1e6)
        var current = Set<StoreStatistics.StorageGroup>()
        for group in statistics.storages {
            ServerMetrics.storages(kind: group.kind, provider: group.provider, status: group.status, count: group.count)
            current.insert(StoreStatistics.StorageGroup(kind: group.kind, provider: group.provider, status: group.status, count: 0))
        }
        for gone in shown.subtracting(current) {
            ServerMetrics.storages(kind: gone.kind, provider: gone.provider, status: gone.status, count: 0)
        }
        return current
    }
}
