import FerryCore
import FerryStore
import Logging
import Synchronization

/// Persists heartbeat progress in the background, newest per job, so acknowledging a heartbeat
/// never waits for the database. Progress is not a terminal outcome: losing the last few
/// seconds of it in a crash loses nothing the worker was promised.
///
/// A coalesced heartbeat's progress waits (``submit(lease:counters:checkpoint:time:after:)``)
/// until its ping interval ends and is then written, unless newer progress for the job was
/// written first.
final class ProgressWriter: Sendable {
    private struct Pending {
        var lease: JobLease
        var counters: SyncCounters
        var checkpoint: SyncCheckpoint?
        var time: FerryTime
    }

    private struct State {
        var pending: [String: Pending] = [:]
        /// Coalesced progress waiting for its interval to end, newest per job.
        var deferred: [String: Pending] = [:]
        var draining = false
        var idleWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let store: any FerryStore
    private let leases: LeaseCache
    private let logger: Logger
    private let state = Mutex(State())

    init(store: any FerryStore, leases: LeaseCache, logger: Logger) {
        self.store = store
        self.leases = leases
        self.logger = logger
    }

    /// Queues a job's progress; a newer submission for the same job replaces an older one, and
    /// progress waiting for its interval to end.
    func submit(lease: JobLease, counters: SyncCounters, checkpoint: SyncCheckpoint?, time: FerryTime) {
        let start = state.withLock { state -> Bool in
            var entry = Pending(lease: lease, counters: counters, checkpoint: checkpoint, time: time)
            entry.checkpoint = entry.checkpoint ?? state.deferred[lease.jobID]?.checkpoint
            state.deferred[lease.jobID] = nil
            return Self.enqueue(entry, in: &state)
        }
        if start {
            Task { await drain() }
        }
    }

    /// Keeps a coalesced heartbeat's progress and writes it after `delay` (when its ping interval
    /// ends), unless newer progress for the job is written first.
    func submit(lease: JobLease, counters: SyncCounters, checkpoint: SyncCheckpoint?, time: FerryTime, after delay: FerryDuration) {
        let schedule = state.withLock { state -> Bool in
            let waiting = state.deferred[lease.jobID]
            var entry = Pending(lease: lease, counters: counters, checkpoint: checkpoint, time: time)
            entry.checkpoint = entry.checkpoint ?? waiting?.checkpoint
            state.deferred[lease.jobID] = entry
            return waiting == nil
        }
        if schedule {
            Task {
                try? await Task.sleep(for: .microseconds(max(0, delay.microseconds)))
                release(jobID: lease.jobID)
            }
        }
    }

    /// Queues the progress a job was keeping until its interval ended.
    private func release(jobID: String) {
        let start = state.withLock { state -> Bool in
            guard let entry = state.deferred.removeValue(forKey: jobID) else { return false }
            return Self.enqueue(entry, in: &state)
        }
        if start {
            Task { await drain() }
        }
    }

    /// Adds progress to the queue, keeping a checkpoint it does not replace; returns whether a
    /// drain must start.
    private static func enqueue(_ entry: Pending, in state: inout State) -> Bool {
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
        for jobID in state.withLock({ Array($0.deferred.keys) }) {
            release(jobID: jobID)
        }
        await withCheckedContinuation { continuation in
            let idle = state.withLock { state -> Bool in
                guard state.draining else { return true }
                state.idleWaiters.append(continuation)
                return false
            }
            if idle { continuation.resume() }
        }
    }

    private func drain() async {
        // Bounded: each pass writes what was pending; the loop ends when nothing new arrived.
        while true {
            let batch = state.withLock { state -> [Pending] in
                defer { state.pending = [:] }
                return Array(state.pending.values)
            }
            if batch.isEmpty {
                let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>]? in
                    guard state.pending.isEmpty else { return nil }
                    state.draining = false
                    defer { state.idleWaiters = [] }
                    return state.idleWaiters
                }
                guard let waiters else { continue }
                waiters.forEach { $0.resume() }
                return
            }
            for progress in batch {
                await write(progress)
            }
        }
    }

    private func write(_ progress: Pending) async {
        do {
            let result = try await store.recordProgress(
                lease: progress.lease,
                counters: progress.counters,
                checkpoint: progress.checkpoint,
                now: progress.time
            )
            if result.cancelRequested {
                leases.requestCancel(jobID: progress.lease.jobID)
            }
        } catch let error as StoreError where error.code == .leaseNotCurrent {
            leases.invalidate(jobID: progress.lease.jobID)
        } catch {
            logger.error(
                "Could not persist heartbeat progress",
                metadata: ["job": "\(progress.lease.jobID)", "error": "\(error)"]
            )
        }
    }
}
