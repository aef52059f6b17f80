import NIOCore
import NIOPosix

/// A task executor with threads of its own (a started `NIOThreadPool`). The server runs calls
/// whose requests stream on it, so that however many messages those streams carry, they never
/// occupy the threads of Swift's global executor, which start and answer every other call.
///
/// Jobs run in arrival order on the first free thread, until ``shutdown()``.
public final class ThreadPoolTaskExecutor: TaskExecutor {
    private let pool: NIOThreadPool

    /// Half the cores, at least one: the event loops already keep a thread per core busy, and
    /// more runnable threads than cores lengthen every wake-up (measured with `ferry-bench
    /// server-load` on 2 cores: heartbeat ack p99 4.4–4.5 ms with one thread, 5.3–5.6 ms with two).
    public static var defaultThreadCount: Int { max(1, System.coreCount / 2) }

    /// Starts the threads.
    ///
    /// - Parameter threads: How many threads; at least one.
    public init(threads: Int = ThreadPoolTaskExecutor.defaultThreadCount) {
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
