import Synchronization

/// A clock that only moves when told to: for tests and simulations.
///
/// Safe to share between tasks; every read and change is serialised by a mutex.
public final class ManualClock: FerryClock {
    private let current: Mutex<FerryTime>

    /// Creates a clock that reads `start` until it is moved.
    ///
    /// - Parameter start: The initial instant.
    public init(_ start: FerryTime = .epoch) {
        self.current = Mutex(start)
    }

    /// The instant the clock was last set to.
    ///
    /// - Returns: The clock's current instant.
    public func now() -> FerryTime {
        self.current.withLock { $0 }
    }

    /// Moves the clock forward (or backward, for a negative duration).
    ///
    /// - Parameter duration: How far to move it.
    public func advance(by duration: FerryDuration) {
        self.current.withLock { $0 = $0 + duration }
    }

    /// Sets the clock to an instant.
    ///
    /// - Parameter instant: The new current instant.
    public func set(to instant: FerryTime) {
        self.current.withLock { $0 = instant }
    }
}
