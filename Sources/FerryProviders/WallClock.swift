public import FerryCore
import Foundation

/// The system's wall clock, for what providers sign with the time (request dates, presigned
/// URLs' validity). Stores take a clock parameter defaulting to it, so tests can fix the time.
public enum WallClock {
    /// Now, from the system's wall clock, in whole microseconds.
    public static func now() -> FerryTime {
        FerryTime(unixMicroseconds: Int64((Date().timeIntervalSince1970 * 1_000_000).rounded(.down)))
    }
}
