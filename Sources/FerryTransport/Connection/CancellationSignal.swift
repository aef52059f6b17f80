import Synchronization

/// A one-shot signal that lets the event loop cancel the task serving a stream.
///
/// The stream's task races its handler against ``wait()``; when the client cancels or the
/// deadline passes, the connection handler calls ``cancel()`` and the handler's task is cancelled.
final class CancellationSignal: Sendable {
    private enum State {
        case idle
        case waiting(CheckedContinuation<Void, Never>)
        case fired
    }

    private let state = Mutex(State.idle)

    /// Fires the signal; waiters return. Idempotent.
    func cancel() {
        let continuation = state.withLock { state -> CheckedContinuation<Void, Never>? in
            defer { state = .fired }
            if case .waiting(let continuation) = state { return continuation }
            return nil
        }
        continuation?.resume()
    }

    /// Returns when the signal fires or the calling task is cancelled.
    func wait() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    guard case .idle = state else { return true }
                    state = .waiting(continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            self.cancel()
        }
    }
}

/// Runs a body until it returns or a signal fires, cancelling the body in the second case.
///
/// - Parameters:
///   - signal: The signal that cancels the body.
///   - body: The work to run.
func runUntilCancelled(by signal: CancellationSignal, _ body: @escaping @Sendable () async -> Void) async {
    await withTaskGroup(of: Void.self) { group in
        group.addTask { await body() }
        group.addTask { await signal.wait() }
        _ = await group.next()
        group.cancelAll()
    }
}
