import Synchronization

/// Counts the store's calls in flight, so that closing waits for them and refuses new ones.
final class InFlightCalls: Sendable {
    private struct State: ~Copyable {
        var closed = false
        var running = 0
        var drained: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    /// Runs `body` as one call.
    ///
    /// - Throws: ``StoreError/Code/closed`` once ``close()`` began.
    func run<T>(_ body: () async throws -> T) async throws -> T {
        let admitted = self.state.withLock { state in
            if state.closed { return false }
            state.running += 1
            return true
        }
        guard admitted else { throw StoreError(code: .closed, message: "The store is closed.") }
        defer { self.leave() }
        return try await body()
    }

    /// Refuses new calls, then waits until the running ones have returned.
    func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let idle = self.state.withLock { state in
                state.closed = true
                if state.running == 0 { return true }
                state.drained.append(continuation)
                return false
            }
            if idle { continuation.resume() }
        }
    }

    private func leave() {
        let waiters: [CheckedContinuation<Void, Never>] = self.state.withLock { state in
            state.running -= 1
            guard state.running == 0 else { return [] }
            defer { state.drained.removeAll() }
            return state.drained
        }
        for waiter in waiters { waiter.resume() }
    }
}
