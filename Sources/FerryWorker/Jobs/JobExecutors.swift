import FerryTransport

/// The threads a worker's jobs run on, apart from Swift's global executor.
///
/// Sync loops can be CPU-bound for long stretches (matching a filter against a page of keys,
/// parsing a large file) and Swift's global executor has only one thread per core, so if they
/// ran there, as many busy syncs as cores would hold every thread: no heartbeat would be sent,
/// for any job, and the acquire loop would claim nothing. So each sync loop runs on
/// ``syncs`` (one thread per job slot), and every job's heartbeat loop on ``heartbeats`` (one
/// thread of its own, which only formats a message per ping interval and reads the replies):
/// one job's CPU work can never silence another's heartbeats or the acquire loop.
public struct JobExecutors: Sendable {
    /// Where heartbeat loops run; `nil` for the global executor.
    public let heartbeats: (any TaskExecutor)?
    /// Where sync loops run; `nil` for the global executor.
    public let syncs: (any TaskExecutor)?

    /// Everything on Swift's global executor (tests that run a single job in-process).
    public static let global = JobExecutors(heartbeats: nil, syncs: nil)

    private init(heartbeats: (any TaskExecutor)?, syncs: (any TaskExecutor)?) {
        self.heartbeats = heartbeats
        self.syncs = syncs
    }

    /// Starts the threads: one for all heartbeat loops and one per job slot for the syncs.
    ///
    /// - Parameter maxJobs: How many jobs run at once.
    /// - Returns: The executors and a function that stops their threads once no job runs.
    public static func dedicated(maxJobs: Int) -> (executors: JobExecutors, shutdown: @Sendable () -> Void) {
        let heartbeats = ThreadPoolTaskExecutor(threads: 1)
        let syncs = ThreadPoolTaskExecutor(threads: max(1, maxJobs))
        return (
            JobExecutors(heartbeats: heartbeats, syncs: syncs),
            {
                heartbeats.shutdown()
                syncs.shutdown()
            }
        )
    }
}
