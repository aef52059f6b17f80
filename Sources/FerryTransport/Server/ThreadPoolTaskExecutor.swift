public import NIOPosix

/// A task executor with threads of its own (a started `NIOThreadPool`). The server runs calls
/// whose requests stream on it, so that however many messages those streams carry, they never
/// occupy the threads of Swift's global executor, which start and answer every other call.
///
/// Jobs run in arrival order on the first free thread, until ``shutdown()``.
public final class ThreadPoolTaskExecutor: TaskExecutor {
    private let pool: NIOThreadPool

    /// Starts the threads.
    ///
    /// - Parameter threads: How many threads; at least one.
    public init(threads: Int) {
        pool = NIOThreadPool(numberOfThreads: max(1, threads))
        pool.start()
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        pool.submit { [self] state in
            // A job submitted after shutdown is dropped with its task never resumed; the server
            // shuts the executor down only after the last call ended.
            guard case .active = state else { return }
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }

    /// Stops the threads once the queued jobs have run.
    public func shutdown() {
        pool.shutdownGracefully { _ in }
    }
}
