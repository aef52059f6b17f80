public import NIOCore

/// An event loop as a task executor: the server transport runs a connection's light calls on it,
/// so that a request the loop just read resumes its handler on the same thread, and the reply the
/// handler writes reaches the socket in the same loop tick, without waking another thread. A
/// client can do the same with a task that only makes calls on connections of that loop.
///
/// A job enqueued from the loop's own thread waits in the loop's task queue until the current
/// batch of I/O is handled; from any other thread it wakes the loop.
public final class EventLoopTaskExecutor: TaskExecutor {
    /// The loop that runs the jobs.
    public let eventLoop: any EventLoop

    /// Creates the executor of a loop.
    ///
    /// - Parameter eventLoop: The loop; it must outlive every task that prefers this executor
    ///   (the transport shuts its loops down only after its last call ended).
    public init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
