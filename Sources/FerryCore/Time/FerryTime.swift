/// An instant, as whole microseconds since the Unix epoch (UTC): the `*_unix_micros` fields of
/// `ferry.v1`.
///
/// The wire uses 0 for "not set"; in FerryCore an unset instant is `nil` (`FerryTime?`), so the
/// epoch itself stays a valid value. Arithmetic saturates instead of trapping.
public struct FerryTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Microseconds since 1970-01-01T00:00:00Z; negative before it.
    public var unixMicroseconds: Int64

    /// Creates an instant.
    ///
    /// - Parameter unixMicroseconds: Microseconds since the Unix epoch.
    public init(unixMicroseconds: Int64) {
        self.unixMicroseconds = unixMicroseconds
    }

    /// 1970-01-01T00:00:00Z.
    public static let epoch = FerryTime(unixMicroseconds: 0)

    /// Creates an instant from whole seconds since the Unix epoch.
    ///
    /// - Parameter unixSeconds: Seconds since the Unix epoch.
    /// - Returns: The instant, saturated at the bounds of `Int64` microseconds.
    public static func unixSeconds(_ unixSeconds: Int64) -> FerryTime {
        FerryTime(unixMicroseconds: unixSeconds.saturatingMultiplied(by: 1_000_000))
    }

    /// The instant `rhs` after `lhs`, saturated.
    public static func + (lhs: FerryTime, rhs: FerryDuration) -> FerryTime {
        FerryTime(unixMicroseconds: lhs.unixMicroseconds.saturatingAdded(rhs.microseconds))
    }

    /// The instant `rhs` before `lhs`, saturated.
    public static func - (lhs: FerryTime, rhs: FerryDuration) -> FerryTime {
        FerryTime(unixMicroseconds: lhs.unixMicroseconds.saturatingSubtracted(rhs.microseconds))
    }

    /// The time from `rhs` to `lhs`, saturated; negative when `lhs` is earlier.
    public static func - (lhs: FerryTime, rhs: FerryTime) -> FerryDuration {
        FerryDuration(microseconds: lhs.unixMicroseconds.saturatingSubtracted(rhs.unixMicroseconds))
    }

    public static func < (lhs: FerryTime, rhs: FerryTime) -> Bool {
        lhs.unixMicroseconds < rhs.unixMicroseconds
    }

    /// The instant in ISO-8601 UTC; see ``iso8601``.
    public var description: String {
        self.iso8601
    }
}
