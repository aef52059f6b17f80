import FerryCore
import FerryStore
import Logging
import Synchronization

/// Persists heartbeat progress in the background, newest per job, so acknowledging a heartbeat
/// never waits for the database. Progress is not a terminal outcome: losing the last few
/// seconds of it in a crash loses nothing the worker was promised.
final class ProgressWriter: Sendable {
    private struct Pending {
        var lease: JobLease
        var counters: SyncCounters
        var checkpoint: SyncCheckpoint?
        var time: FerryTime
    }

    private struct State {
        var pending: [String: Pending] = [:]
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

    /// Queues a job's progress; a newer submission for the same job replaces an older one.
    func submit(lease: JobLease, counters: SyncCounters, checkpoint: SyncCheckpoint?, time: FerryTime) {
        let start = state.withLock { state -> Bool in
            var entry = Pending(lease: lease, counters: counters, checkpoint: checkpoint, time: time)
            if entry.checkpoint == nil {
                entry.checkpoint = state.pending[lease.jobID]?.checkpoint
            }
            state.pending[lease.jobID] = entry
            guard !state.draining else { return false }
            state.draining = true
            return true
        }
        if start {
            Task { await drain() }
        }
    }

    /// Returns once everything queued so far is written (used before the store closes).
    func flush() async {
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
