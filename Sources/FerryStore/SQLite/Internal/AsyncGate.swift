import Synchronization

/// A first-in, first-out async mutex: one holder at a time, the others suspended in arrival order.
///
/// Serializes transactions on one SQLite connection. An actor would not do: a transaction awaits
/// between its statements, and an actor is re-entrant across awaits, so another transaction's
/// statements could interleave on the same connection. Waiting is not cancellable — a waiter is
/// always admitted in turn, and transactions are short — so no permit can leak.
final class AsyncGate: Sendable {
    private struct State: ~Copyable {
        var held = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    init() {}

    /// Runs `body` while holding the gate.
    func withPermit<T>(_ body: () async throws -> T) async throws -> T {
        await self.acquire()
        defer { self.release() }
        return try await body()
    }

    private func acquire() async {
        // Fast path: free gate, no continuation.
        let admitted = self.state.withLock { state in
            if state.held { return false }
            state.held = true
            return true
        }
        if admitted { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            // Check again under the lock: the holder may have released since the fast path.
            let admittedNow = self.state.withLock { state in
                if state.held {
                    state.waiters.append(continuation)
                    return false
                }
                state.held = true
                return true
            }
            if admittedNow { continuation.resume() }
        }
    }

    private func release() {
        // Hand the gate straight to the next waiter (it stays held), or free it.
        let next: CheckedContinuation<Void, Never>? = self.state.withLock { state in
            if state.waiters.isEmpty {
                state.held = false
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.resume()
    }
}
