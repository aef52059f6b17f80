import FerryCore
import FerryRPC
import FerryStore
import Logging
import Synchronization

/// Persists heartbeat progress in the background, newest per job, so acknowledging a heartbeat
/// never waits for the database. Progress is not a terminal outcome: losing the last few
/// seconds of it in a crash loses nothing the worker was promised.
///
/// A coalesced heartbeat's progress waits (``submit(lease:counters:checkpoint:time:after:)``)
/// until its ping interval ends and is then written, unless newer progress for the job was
/// written first. One sweeper, on the global executor and only while something waits, releases
/// what is due a few times per interval: no timer per job, and nothing on the heartbeat threads.
/// Progress that nobody waits for gathers for a short window before it is written, and goes to
/// the store as one batch (one transaction on SQLite), so a fleet's progress costs a few
/// statements and one commit per batch rather than per job; a heartbeat waiting for its answer,
/// or a flush, cuts the window short.
final class ProgressWriter: Sendable {
    private typealias Answer = CheckedContinuation<Result<ProgressResult, StoreError>, Never>

    /// A report whose heartbeat waits for its result (``write(_:)``).
    private struct Awaited {
        var report: ProgressReport
        var answer: Answer
    }

    private struct State {
        var pending: [String: ProgressReport] = [:]
        /// Reports whose heartbeats wait, in arrival order; never merged with another job's entry.
        var awaited: [Awaited] = []
        /// Coalesced progress waiting for its interval to end, newest per job.
        var deferred: DeferredProgress
        var sweeping = false
        var draining = false
        var idleWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let store: any FerryStore
    private let logger: Logger
    private let state: Mutex<State>
    /// Ends a gathering window early: woken when a heartbeat waits for its answer or a flush waits.
    private let hurry = Wakeup()

    /// How often the sweeper looks for coalesced progress that is due.
    private let sweepPeriod: Duration
    /// How long progress that nobody waits for gathers before a batch is taken.
    private let gatherWindow: Duration

    /// Creates a writer.
    ///
    /// - Parameters:
    ///   - store: Where progress is written (through the lease cache, which a write that finds
    ///     its lease gone, or a cancel requested, updates).
    ///   - sweepPeriod: How often coalesced progress that is due is released.
    ///   - gatherWindow: How long progress that nobody waits for gathers before it is written;
    ///     zero writes what arrived during the previous write at once.
    ///   - logger: Where failed writes are logged.
    init(store: any FerryStore, sweepPeriod: Duration, gatherWindow: Duration = .zero, logger: Logger) {
        self.store = store
        self.state = Mutex(State(deferred: DeferredProgress(origin: .now, tick: sweepPeriod)))
        self.sweepPeriod = sweepPeriod
        self.gatherWindow = gatherWindow
        self.logger = logger
    }

    /// Queues a job's progress; a newer submission for the same job replaces an older one, and
    /// progress waiting for its interval to end.
    func submit(lease: JobLease, counters: SyncCounters, checkpoint: SyncCheckpoint?, time: FerryTime) {
        let start = state.withLock { state -> Bool in
            let entry = state.deferred.replace(
                with: ProgressReport(lease: lease, counters: counters, checkpoint: checkpoint, time: time))
            return Self.enqueue(entry, in: &state)
        }
        if start { startDrain() }
    }

    /// Writes one report with the next batch and returns its result: for a heartbeat whose lease
    /// this process does not know yet (after a restart, say), which the store must fence before
    /// the heartbeat is acknowledged. A fleet reconnecting at once is fenced in a few batches.
    ///
    /// - Parameter report: The heartbeat's progress.
    /// - Returns: What the store answered for it.
    func write(_ report: ProgressReport) async -> Result<ProgressResult, StoreError> {
        await withCheckedContinuation { answer in
            let start = state.withLock { state -> Bool in
                state.awaited.append(Awaited(report: report, answer: answer))
                guard !state.draining else { return false }
                state.draining = true
                return true
            }
            if start { startDrain() } else { hurry.wake() }
        }
    }

    private func startDrain() {
        Task(executorPreference: globalConcurrentExecutor) { await self.drain() }
    }

    /// Keeps a coalesced heartbeat's progress and writes it after `delay` (when its ping interval
    /// ends), unless newer progress for the job is written first.
    func submit(lease: JobLease, counters: SyncCounters, checkpoint: SyncCheckpoint?, time: FerryTime, after delay: FerryDuration) {
        let due = ContinuousClock.now + .microseconds(max(0, delay.microseconds))
        let startSweeper = state.withLock { state -> Bool in
            let entry = ProgressReport(lease: lease, counters: counters, checkpoint: checkpoint, time: time)
            state.deferred.hold(entry, due: due)
            guard !state.sweeping else { return false }
            state.sweeping = true
            return true
        }
        if startSweeper {
            Task(executorPreference: globalConcurrentExecutor) { await self.sweep() }
        }
    }

    /// Releases waiting progress as it falls due; ends when nothing waits.
    private func sweep() async {
        while true {
            try? await Task.sleep(for: sweepPeriod)
            let (startDrain, done) = state.withLock { state -> (Bool, Bool) in
                var startDrain = false
                for entry in state.deferred.takeDue(now: .now) {
                    startDrain = Self.enqueue(entry, in: &state) || startDrain
                }
                state.sweeping = !state.deferred.isEmpty
                return (startDrain, !state.sweeping)
            }
            if startDrain { self.startDrain() }
            if done { return }
        }
    }

    /// Adds progress to the queue, keeping a checkpoint it does not replace; returns whether a
    /// drain must start.
    private static func enqueue(_ entry: ProgressReport, in state: inout State) -> Bool {
        var entry = entry
        entry.checkpoint = entry.checkpoint ?? state.pending[entry.lease.jobID]?.checkpoint
        state.pending[entry.lease.jobID] = entry
        guard !state.draining else { return false }
        state.draining = true
        return true
    }

    /// Returns once everything queued so far is written, progress waiting for its interval
    /// included (used before an outcome is recorded and before the store closes).
    func flush() async {
        let startDrain = state.withLock { state -> Bool in
            state.deferred.takeAll().reduce(false) { Self.enqueue($1, in: &state) || $0 }
        }
        if startDrain { self.startDrain() }
        await withCheckedContinuation { continuation in
            let idle = state.withLock { state -> Bool in
                guard state.draining else { return true }
                state.idleWaiters.append(continuation)
                return false
            }
            if idle { continuation.resume() } else { hurry.wake() }
        }
    }

    private func drain() async {
        // Bounded: each pass writes what was waiting; the loop ends when nothing new arrived.
        while true {
            await gather()
            let (batch, answers) = state.withLock { Self.takeBatch(&$0) }
            if batch.isEmpty {
                let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>]? in
                    guard state.pending.isEmpty, state.awaited.isEmpty else { return nil }
                    state.draining = false
                    defer { state.idleWaiters = [] }
                    return state.idleWaiters
                }
                guard let waiters else { continue }
                waiters.forEach { $0.resume() }
                return
            }
            // One transaction per slice instead of one per job (what gathers meanwhile comes in
            // the next pass).
            var results: [Result<ProgressResult, StoreError>] = []
            for slice in stride(from: 0, to: batch.count, by: Self.batchLimit) {
                results += await write(Array(batch[slice..<min(slice + Self.batchLimit, batch.count)]))
            }
            for (index, (report, result)) in zip(batch, results).enumerated() {
                if let answer = answers[index] {
                    answer.resume(returning: result)
                    continue
                }
                switch result as Result<ProgressResult, StoreError> {
                case .success:
                    ServerMetrics.heartbeatPersisted()
                case .failure(let error) where error.code == .leaseNotCurrent:
                    break  // The job was settled meanwhile; its next heartbeat is told so.
                case .failure(let error):
                    logger.error(
                        "Could not persist heartbeat progress",
                        metadata: ["job": "\(report.lease.jobID)", "error": "\(error)"])
                }
            }
        }
    }

    /// Waits out the gathering window, unless a heartbeat or a flush waits for the writer.
    private func gather() async {
        guard gatherWindow > .zero else { return }
        let seen = hurry.generation
        let someoneWaits = state.withLock { !$0.awaited.isEmpty || !$0.idleWaiters.isEmpty }
        guard !someoneWaits else { return }
        await hurry.wait(after: seen, upTo: gatherWindow)
    }

    /// Progress reports written in one store call at most.
    static let batchLimit = 1_000

    /// The next batch, at most one report per job: the awaited reports first (a second one for
    /// the same job waits for the next batch), then the pending progress of the other jobs; with
    /// the answer owed for each awaited report, by its index in the batch.
    private static func takeBatch(_ state: inout State) -> ([ProgressReport], [Int: Answer]) {
        var batch: [ProgressReport] = []
        var answers: [Int: Answer] = [:]
        var jobs: Set<String> = []
        var later: [Awaited] = []
        for awaited in state.awaited {
            guard jobs.insert(awaited.report.lease.jobID).inserted else {
                later.append(awaited)
                continue
            }
            answers[batch.count] = awaited.answer
            batch.append(awaited.report)
        }
        state.awaited = later
        let pending = state.pending
        state.pending = [:]
        for (jobID, report) in pending {
            if jobs.contains(jobID) {
                state.pending[jobID] = report
            } else {
                batch.append(report)
            }
        }
        return (batch, answers)
    }

    /// Writes a batch; a failure of the whole batch is every report's (so every awaited report
    /// gets an answer).
    private func write(_ reports: [ProgressReport]) async -> [Result<ProgressResult, StoreError>] {
        do {
            let results = try await store.recordProgress(reports)
            guard results.count == reports.count else {
                let failure = StoreError(code: .io, message: "The store answered \(results.count) of \(reports.count) progress reports.")
                return reports.map { _ in .failure(failure) }
            }
            return results
        } catch {
            let failure = error as? StoreError ?? StoreError(code: .io, message: "Writing heartbeat progress failed: \(error)")
            return reports.map { _ in .failure(failure) }
        }
    }
}
