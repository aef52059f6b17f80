import Synchronization

/// Wakes tasks waiting for "something happened", with a generation number so that a wake-up
/// between "I looked and found nothing" and "I started waiting" is never missed: a waiter passes
/// the ``generation`` it saw before looking, and returns at once if it has moved on.
///
/// Waiting is bounded by a timeout and ends early when the waiting task is cancelled.
public final class Wakeup: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextID = 0
    }

    private let state = Mutex(State())

    /// Creates a wake-up that has not fired.
    public init() {}

    /// How many times ``wake()`` was called.
    public var generation: UInt64 { state.withLock { $0.generation } }

    /// Wakes every waiter.
    public func wake() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.generation &+= 1
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Waits until a wake-up after generation `seen`, or `timeout`, whichever is first.
    ///
    /// - Parameters:
    ///   - seen: The ``generation`` read before the caller last looked.
    ///   - timeout: The longest wait.
    /// - Returns: Whether a wake-up came.
    @discardableResult
    public func wait(after seen: UInt64, upTo timeout: Duration) async -> Bool {
        if generation != seen { return true }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: timeout) }
            group.addTask { await self.wait(after: seen) }
            await group.next()
            group.cancelAll()
        }
        return generation != seen
    }

    /// Waits until a wake-up after generation `seen`, or until the task is cancelled.
    ///
    /// - Parameter seen: The ``generation`` read before the caller last looked.
    public func wait(after seen: UInt64) async {
        let id = state.withLock { state -> Int in
            defer { state.nextID += 1 }
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.generation != seen || Task.isCancelled { return true }
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
}
