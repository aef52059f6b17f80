public import FerryCore
import Foundation

/// The system's wall clock, for what providers stamp with the time (request signatures, token
/// expiry); tests inject their own clock instead.
public enum SystemTime {
    /// Now, from the system's wall clock.
    public static func now() -> FerryTime {
        FerryTime(unixMicroseconds: Int64((Date().timeIntervalSince1970 * 1_000_000).rounded(.down)))
    }
}
