import FerryCore
import Logging

/// Continuous export: after annotations of a project change, queues a sync of each of its
/// export storages that export on change, so their locations follow the platform within seconds.
///
/// Single flight and coalesced: a storage whose sync is queued needs nothing more (that job will
/// see the change); one whose sync is running may already have passed the changed task, so one
/// follow-up is queued as soon as it ends, however many changes arrive meanwhile.
actor ExportFollower {
    /// Queues a sync of a storage (or finds the one queued or running) and returns its status.
    typealias Queue = @Sendable (Int64) async throws -> SyncStatus
    /// Reads a storage's sync status.
    typealias Status = @Sendable (Int64) async throws -> SyncStatus

    private let queue: Queue
    private let status: Status
    private let pollInterval: Duration
    private let logger: Logger
    /// Storages with a follow-up waiting for their running sync to end.
    private var waiting: Set<Int64> = []

    /// Creates the follower.
    ///
    /// - Parameters:
    ///   - pollInterval: How often a running sync is checked for its end.
    ///   - logger: Where to log.
    ///   - queue: Queues a sync.
    ///   - status: Reads a sync status.
    init(pollInterval: Duration, logger: Logger, queue: @escaping Queue, status: @escaping Status) {
        self.queue = queue
        self.status = status
        self.pollInterval = pollInterval
        self.logger = logger
    }

    /// Annotations of these storages' project changed.
    func changed(_ storageIDs: [Int64]) async {
        for storageID in storageIDs where !waiting.contains(storageID) {
            await follow(storageID)
        }
    }

    private func follow(_ storageID: Int64) async {
        do {
            guard try await queue(storageID) == .inProgress else { return }
            waiting.insert(storageID)
            Task { await self.queueAfterRunningSync(of: storageID) }
        } catch {
            logger.warning(
                "Continuous export could not queue a sync", metadata: ["storage": "\(storageID)", "error": "\(error)"])
        }
    }

    private func queueAfterRunningSync(of storageID: Int64) async {
        while true {
            try? await Task.sleep(for: pollInterval)
            guard let current = try? await status(storageID) else { break }  // Deleted, or the store closed.
            if current != .inProgress { break }
        }
        waiting.remove(storageID)
        await follow(storageID)
    }
}
