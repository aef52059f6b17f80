public import FerryCore
import Foundation

/// The wall clock, in Unix microseconds; the server's single source of "now".
public struct SystemClock: FerryClock {
    /// Creates the clock.
    public init() {}

    public func now() -> FerryTime {
        FerryTime(unixMicroseconds: Int64((Date().timeIntervalSince1970 * 1_000_000).rounded()))
    }
}
