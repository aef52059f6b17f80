public import FerryProto
import FerryRPC
import Synchronization

/// What the parts of one running job share: the progress the sync loop updates and the
/// heartbeat timer reads, why the job must stop, and its terminal outcome.
public final class JobControl: Sendable {
    /// Why a job is being stopped before its sync loop finished.
    public enum StopReason: Sendable, Equatable {
        /// The server asked for a cancel; the worker confirms with `CANCELLED`.
        case cancelRequested
        /// The server no longer accepts the lease; nothing more may be sent under it.
        case leaseLost(String)
        /// The worker process is shutting down.
        case shuttingDown
    }

    /// The most item errors kept for the terminal outcome; the counters have the full count.
    public static let maxItemErrors = 50

    private struct State {
        var counters = FerryV1.SyncCounters()
        var itemErrors: [FerryV1.ItemError] = []
        var stopReason: StopReason?
        var onStop: (@Sendable () -> Void)?
        var outcome: FerryV1.JobOutcome?
    }

    private let state = Mutex(State())
    /// Signalled when the outcome is known, so the heartbeat timer sends it at once.
    let finished = Wakeup()

    /// Whether the sync loop has ended and the outcome is set.
    var isFinished: Bool { finished.generation > 0 }

    /// Creates the control of a job that has just started.
    public init() {}

    /// The progress so far.
    public var counters: FerryV1.SyncCounters { state.withLock { $0.counters } }

    /// The first failed items, bounded by ``maxItemErrors``.
    public var itemErrors: [FerryV1.ItemError] { state.withLock { $0.itemErrors } }

    /// Why the job is stopping, if it is.
    public var stopReason: StopReason? { state.withLock { $0.stopReason } }

    /// The terminal outcome, once the sync loop has ended (`nil` as well when the lease was lost).
    public var outcome: FerryV1.JobOutcome? { state.withLock { $0.outcome } }

    /// Updates the counters.
    public func update(_ body: (inout FerryV1.SyncCounters) -> Void) {
        state.withLock { body(&$0.counters) }
    }

    /// Records failed items, keeping the first ``maxItemErrors``.
    public func recordItemErrors(_ errors: [FerryV1.ItemError]) {
        state.withLock { state in
            let room = Self.maxItemErrors - state.itemErrors.count
            if room > 0 { state.itemErrors += errors.prefix(room) }
        }
    }

    /// Sets what stopping the job does (cancelling its sync loop). Runs at once if a stop was
    /// already requested.
    func onStop(_ handler: @escaping @Sendable () -> Void) {
        let runNow = state.withLock { state -> Bool in
            guard state.stopReason == nil else { return true }
            state.onStop = handler
            return false
        }
        if runNow { handler() }
    }

    /// Asks the job to stop; the first reason wins.
    public func requestStop(_ reason: StopReason) {
        let handler = state.withLock { state -> (@Sendable () -> Void)? in
            guard state.stopReason == nil else { return nil }
            state.stopReason = reason
            defer { state.onStop = nil }
            return state.onStop
        }
        handler?()
    }

    /// Ends the job: records the outcome (`nil` when nothing may be reported) and wakes the
    /// heartbeat timer.
    func finish(_ outcome: FerryV1.JobOutcome?) {
        state.withLock { $0.outcome = outcome }
        finished.wake()
    }
}
