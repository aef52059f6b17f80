public import FerryProto
import FerryRPC
import Foundation
public import Logging
public import ServiceLifecycle
import Synchronization

/// The worker's main loop: long-polls AcquireJob while it has a free slot, runs up to
/// `maxJobs` jobs at once, and backs off with jitter while the server is unreachable.
///
/// On graceful shutdown (SIGTERM, SIGINT) it stops asking for jobs, asks each running job to
/// stop, and gives them `shutdownGracePeriod` to report "worker shutting down" before it
/// cancels what is left. When the server refuses this process in a way no retry can change
/// (another live process uses the same worker id, or the worker id is not the certificate's),
/// it stops the same way and then throws, so the process exits non-zero saying why.
public struct WorkerService: Service {
    private let client: WorkerClient
    private let runner: JobRunner
    private let prober: ConnectionProber
    private let request: FerryV1.AcquireJobRequest
    private let maxJobs: Int
    private let gracePeriod: Duration
    private let logger: Logger

    /// Creates the service.
    ///
    /// - Parameters:
    ///   - client: The calls to the server.
    ///   - runner: Runs claimed jobs.
    ///   - stores: Opens stores for the connection checks the server hands out.
    ///   - request: The AcquireJob request: worker id, this process's instance id, capabilities, wait.
    ///   - maxJobs: Jobs run at once.
    ///   - gracePeriod: How long running jobs get after a shutdown signal.
    ///   - logger: Where to log.
    public init(
        client: WorkerClient,
        runner: JobRunner,
        stores: JobStores,
        request: FerryV1.AcquireJobRequest,
        maxJobs: Int,
        gracePeriod: Duration,
        logger: Logger
    ) {
        self.client = client
        self.runner = runner
        self.prober = ConnectionProber(client: client, stores: stores, logger: logger)
        self.request = request
        self.maxJobs = maxJobs
        self.gracePeriod = gracePeriod
        self.logger = logger
    }

    /// Claims and runs jobs until a graceful shutdown, then stops the running ones.
    ///
    /// - Throws: The server's refusal, when another live process uses this worker id.
    public func run() async throws {
        let running = RunningJobs()
        let stopping = Wakeup()
        let poll = PendingPoll()
        let refusal = await withTaskGroup(of: Void.self) { group -> RPCError? in
            let refusal = await withGracefulShutdownHandler {
                await acquireLoop(group: &group, running: running, stopping: stopping, poll: poll)
            } onGracefulShutdown: {
                stopping.wake()
                poll.cancel()
                running.stopAll(.shuttingDown)  // Also frees the loop when every slot is busy.
            }
            let left = running.count
            if left > 0 {
                logger.notice("Shutting down; stopping running jobs", metadata: ["jobs": "\(left)"])
            }
            running.stopAll(.shuttingDown)
            // A sentinel child ends the wait at the grace period's end.
            let deadline = ContinuousClock.now + gracePeriod
            group.addTask { try? await Task.sleep(until: deadline) }
            while running.count > 0, await group.next() != nil {
                if ContinuousClock.now >= deadline && running.count > 0 {
                    logger.warning("Jobs did not end within the grace period; cancelling them")
                    break
                }
            }
            group.cancelAll()
            return refusal
        }
        if let refusal {
            logger.critical("ferry-worker stopped: the server refused this process", metadata: ["error": "\(refusal)"])
            throw refusal
        }
        logger.info("ferry-worker stopped")
    }

    /// Claims jobs until a shutdown; returns the server's refusal if it will never hand this
    /// process a job.
    private func acquireLoop(
        group: inout TaskGroup<Void>,
        running: RunningJobs,
        stopping: Wakeup,
        poll: PendingPoll
    ) async -> RPCError? {
        var failures = 0
        while stopping.generation == 0 {
            if running.count >= maxJobs {
                _ = await group.next()
                continue
            }
            let task = Task { [client, request] in try await client.acquireJob(request) }
            poll.set(task)
            if stopping.generation > 0 { task.cancel() }
            do {
                let reply = try await task.value
                failures = 0
                if let job = reply.job {
                    let control = JobControl()
                    running.add(job.id, control)
                    group.addTask { [runner] in
                        WorkerMetrics.jobRunning(+1)
                        await runner.run(job, control: control)
                        WorkerMetrics.jobRunning(-1)
                        running.remove(job.id)
                    }
                } else if let probe = reply.probe {
                    // A connection check takes no job slot; poll again at once.
                    group.addTask { [prober] in await prober.run(probe) }
                } else if reply.retryAfterMicros > 0 {
                    await stopping.wait(after: 0, upTo: .microseconds(reply.retryAfterMicros))
                }
            } catch let error as RPCError where Self.isFinal(error) {
                return error
            } catch {
                guard stopping.generation == 0 else { return nil }
                failures += 1
                let delay = client.retryDelay(afterFailures: failures)
                let level: Logger.Level = WorkerClient.isTransient(error) ? .warning : .error
                logger.log(
                    level: level, "AcquireJob failed; retrying",
                    metadata: ["error": "\(error)", "attempt": "\(failures)", "delay": "\(delay)"])
                await stopping.wait(after: 0, upTo: delay)
            }
        }
        return nil
    }
}

extension WorkerService {
    /// Whether an AcquireJob refusal holds for this process whatever it retries: another live
    /// process uses its worker id, or its identity is refused.
    static func isFinal(_ error: RPCError) -> Bool {
        [.alreadyExists, .permissionDenied, .unauthenticated].contains(error.code)
    }
}

/// The AcquireJob long-poll in flight, so a shutdown can cancel it.
private final class PendingPoll: Sendable {
    private let task = Mutex<Task<FerryV1.AcquireJobResponse, any Error>?>(nil)

    func set(_ task: Task<FerryV1.AcquireJobResponse, any Error>) {
        self.task.withLock { $0 = task }
    }

    func cancel() {
        task.withLock { $0?.cancel() }
    }
}
