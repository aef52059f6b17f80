import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Time limits for measurement phases, so that a hang in the transport is reported instead of
/// hanging the benchmark.
enum Bounded {
    /// Runs `body`, giving up after `limit`.
    ///
    /// The body runs in an unstructured task so that a body stuck where cancellation cannot reach
    /// it (a continuation nobody resumes) is abandoned rather than awaited: on timeout it is
    /// cancelled and left behind, and this function throws.
    /// - Parameters:
    ///   - label: The phase, for the error.
    ///   - limit: How long the body may take.
    ///   - body: The work.
    /// - Returns: What `body` returned.
    /// - Throws: What `body` threw, or ``BenchError`` when the limit passed first.
    static func run<Result: Sendable>(
        _ label: String,
        limit: Duration,
        _ body: @escaping @Sendable () async throws -> Result
    ) async throws -> Result {
        let outcome = OneShot<Result>()
        return try await withCheckedThrowingContinuation { continuation in
            outcome.install(continuation)
            let work = Task {
                do {
                    outcome.resume(with: .success(try await body()))
                } catch {
                    outcome.resume(with: .failure(error))
                }
            }
            Task {
                try? await Task.sleep(for: limit)
                if outcome.resume(with: .failure(BenchError("\(label) did not finish within \(limit) (hang?)"))) {
                    work.cancel()
                }
            }
        }
    }
}

/// A continuation resumed by whichever of two racers comes first.
private final class OneShot<Value: Sendable>: Sendable {
    private let state = Mutex<(continuation: CheckedContinuation<Value, any Error>?, done: Bool)>((nil, false))

    func install(_ continuation: CheckedContinuation<Value, any Error>) {
        state.withLock { $0.continuation = continuation }
    }

    /// Resumes the continuation unless already resumed; returns whether this call did.
    @discardableResult
    func resume(with result: Result<Value, any Error>) -> Bool {
        let continuation = state.withLock { state -> CheckedContinuation<Value, any Error>? in
            guard !state.done else { return nil }
            state.done = true
            defer { state.continuation = nil }
            return state.continuation
        }
        continuation?.resume(with: result)
        return continuation != nil
    }
}

/// The last line of defence: if the whole run exceeds its budget, kills the child processes
/// (the server, and any other child registered under a role of its own) and exits with status 3,
/// whatever state the measuring tasks are in.
///
/// `@unchecked Sendable`: the timer is set up in `init` and afterwards only cancelled, which
/// Dispatch allows from any thread; the children's pids are behind a mutex.
final class Watchdog: @unchecked Sendable {
    private let children = Mutex<[String: Int32]>([:])
    private let timer: any DispatchSourceTimer

    /// Arms the watchdog.
    ///
    /// - Parameter limit: The whole run's budget.
    init(limit: Duration) {
        let timer = DispatchSource.makeTimerSource(queue: .global())
        self.timer = timer
        let seconds = Double(limit.components.seconds) + Double(limit.components.attoseconds) / 1e18
        timer.schedule(deadline: .now() + seconds)
        timer.setEventHandler { [self] in
            let message = "ferry-bench: the run exceeded its \(limit) budget; killing the child processes and exiting\n"
            _ = message.withCString { write(2, $0, strlen($0)) }
            for pid in self.children.withLock({ Array($0.values) }) { kill(pid, SIGKILL) }
            exit(3)
        }
        timer.resume()
    }

    /// The child to kill on expiry in `role` (the server unless told), if any; `nil` forgets it.
    func watch(child pid: Int32?, role: String = "server") {
        children.withLock { $0[role] = pid }
    }

    /// Disarms the watchdog.
    func cancel() {
        timer.cancel()
    }
}
