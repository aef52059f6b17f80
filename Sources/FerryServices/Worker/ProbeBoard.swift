import FerryCore
import FerryProto
import FerryRPC
import Synchronization

/// Connection checks (CreateStorage/UpdateStorage with `validate`) on their way to a worker and
/// back: a check is posted, handed to the first AcquireJob of a worker that offers its provider,
/// and answered with ReportProbe. Kept in memory: a check lives only as long as the call that
/// asked for it.
public final class ProbeBoard: Sendable {
    /// How a check went.
    enum Result: Sendable, Equatable {
        /// A worker ran it and answered.
        case answered(FerryV1.ReportProbeRequest, workerID: String)
        /// No worker took it in time.
        case notTaken
        /// A worker took it but did not answer in time.
        case unanswered(workerID: String)
    }

    private struct Entry {
        var probe: FerryV1.ConnectionProbe
        var provider: StorageProvider
        var takenBy: String?
        var answer: FerryV1.ReportProbeRequest?
    }

    private struct State {
        var entries: [String: Entry] = [:]
        /// Ids in the order they were posted, so the oldest check goes first.
        var order: [String] = []
    }

    private let state = Mutex(State())
    private let answered = Wakeup()
    private let posted: Wakeup

    /// Creates a board.
    ///
    /// - Parameter posted: Woken when a check is posted, so waiting AcquireJob calls look at once.
    init(posted: Wakeup) {
        self.posted = posted
    }

    /// Posts a check and waits for its answer.
    ///
    /// - Parameters:
    ///   - probe: The check.
    ///   - provider: The provider a worker must offer to take it.
    ///   - takeWithin: How long it may wait for a worker to take it (a worker that connects
    ///     meanwhile can).
    ///   - timeout: How long to wait in all.
    /// - Returns: How it went.
    func run(
        _ probe: FerryV1.ConnectionProbe, provider: StorageProvider, takeWithin: Duration, timeout: Duration
    ) async -> Result {
        state.withLock { state in
            state.entries[probe.id] = Entry(probe: probe, provider: provider)
            state.order.append(probe.id)
        }
        posted.wake()
        defer {
            state.withLock { state in
                state.entries[probe.id] = nil
                state.order.removeAll { $0 == probe.id }
            }
        }
        let start = ContinuousClock.now
        let deadline = start + timeout
        while true {
            let seen = answered.generation
            let entry = state.withLock { $0.entries[probe.id] }
            if let answer = entry?.answer, let worker = entry?.takenBy {
                return .answered(answer, workerID: worker)
            }
            let now = ContinuousClock.now
            let takenBy = entry?.takenBy
            let remaining = takenBy == nil ? min(deadline, start + takeWithin) - now : deadline - now
            guard remaining > .zero, !Task.isCancelled else {
                return takenBy.map { .unanswered(workerID: $0) } ?? .notTaken
            }
            // A take does not wake `answered`: look again at least every 100 ms.
            await answered.wait(after: seen, upTo: min(remaining, .milliseconds(100)))
        }
    }

    /// Hands the oldest untaken check of one of `providers` to `workerID`.
    func take(providers: Set<StorageProvider>, workerID: String) -> FerryV1.ConnectionProbe? {
        state.withLock { state in
            for id in state.order {
                guard var entry = state.entries[id], entry.takenBy == nil, providers.contains(entry.provider) else {
                    continue
                }
                entry.takenBy = workerID
                state.entries[id] = entry
                return entry.probe
            }
            return nil
        }
    }

    /// Records a worker's answer.
    ///
    /// - Throws: `NOT_FOUND` for a check that is over or unknown, `PERMISSION_DENIED` when
    ///   another worker took it.
    func report(_ answer: FerryV1.ReportProbeRequest, workerID: String) throws {
        try state.withLock { state in
            guard var entry = state.entries[answer.probeID] else {
                throw RPCError(code: .notFound, message: "probe \(answer.probeID): no such connection check is waiting")
            }
            guard entry.takenBy == workerID else {
                throw RPCError(code: .permissionDenied, message: "probe \(answer.probeID) was handed to another worker")
            }
            entry.answer = answer
            state.entries[answer.probeID] = entry
        }
        answered.wake()
    }
}
