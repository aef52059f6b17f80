import Synchronization

/// A one-way latch that tasks can wait on, with or without a time limit. Once signalled it
/// stays signalled. Waiting is cancellation-aware: a cancelled waiter returns at once.
final class WakeSignal: Sendable {
    private struct State {
        var signalled = false
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextID = 0
    }

    private let state = Mutex(State())

    /// Whether ``signal()`` was called.
    var isSignalled: Bool { state.withLock { $0.signalled } }

    /// Releases every waiter, now and later.
    func signal() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.signalled = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once signalled, or when the calling task is cancelled.
    func wait() async {
        let id = state.withLock { state -> Int in
            defer { state.nextID += 1 }
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.signalled || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }

    /// Returns once signalled or after `timeout`, whichever is first.
    ///
    /// - Parameter timeout: The longest wait.
    /// - Returns: Whether the signal came.
    @discardableResult
    func wait(upTo timeout: Duration) async -> Bool {
        if isSignalled { return true }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: timeout) }
            group.addTask { await self.wait() }
            await group.next()
            group.cancelAll()
        }
        return isSignalled
    }
}
