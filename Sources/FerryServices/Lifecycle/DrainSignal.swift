import Synchronization

/// Set once the server begins its graceful shutdown, so that a handler that waits on purpose
/// (an AcquireJob long-poll) answers at once instead of holding the shutdown for the grace period.
public final class DrainSignal: Sendable {
    private let draining = Atomic<Bool>(false)

    /// Creates a signal that is not set.
    public init() {}

    /// Whether graceful shutdown has begun.
    public var isDraining: Bool { draining.load(ordering: .acquiring) }

    /// Marks the server as shutting down; there is no way back.
    public func begin() {
        draining.store(true, ordering: .releasing)
    }
}
