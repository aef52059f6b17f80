/// The source of "now" for everything in FerryCore that depends on time.
///
/// FerryCore does no I/O, so it ships no wall clock: the server injects one (reading
/// `clock_gettime(CLOCK_REALTIME)` or similar) and tests inject a ``ManualClock``. Termination
/// detection and the status machine take `now` as a parameter; a clock is only the convenient
/// way to produce it.
public protocol FerryClock: Sendable {
    /// The current instant.
    ///
    /// - Returns: Now, as microseconds since the Unix epoch.
    func now() -> FerryTime
}
