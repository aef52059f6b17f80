/// A span of time in whole microseconds, the unit of every `*_micros` field in `ferry.v1`.
///
/// Arithmetic saturates at the bounds of `Int64` instead of trapping: durations come from stored
/// rows and peers, and an absurd value must not crash the server.
public struct FerryDuration: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The length in microseconds; negative for a span that runs backwards.
    public var microseconds: Int64

    /// Creates a duration.
    ///
    /// - Parameter microseconds: The length in microseconds.
    public init(microseconds: Int64) {
        self.microseconds = microseconds
    }

    /// No time at all.
    public static let zero = FerryDuration(microseconds: 0)

    /// A duration of the given number of microseconds.
    ///
    /// - Parameter value: The number of microseconds.
    /// - Returns: The duration.
    public static func microseconds(_ value: Int64) -> FerryDuration {
        FerryDuration(microseconds: value)
    }

    /// A duration of the given number of milliseconds.
    ///
    /// - Parameter value: The number of milliseconds.
    /// - Returns: The duration, saturated at the bounds of `Int64` microseconds.
    public static func milliseconds(_ value: Int64) -> FerryDuration {
        FerryDuration(microseconds: value.saturatingMultiplied(by: 1_000))
    }

    /// A duration of the given number of seconds.
    ///
    /// - Parameter value: The number of seconds.
    /// - Returns: The duration, saturated at the bounds of `Int64` microseconds.
    public static func seconds(_ value: Int64) -> FerryDuration {
        FerryDuration(microseconds: value.saturatingMultiplied(by: 1_000_000))
    }

    /// A duration of the given number of minutes.
    ///
    /// - Parameter value: The number of minutes.
    /// - Returns: The duration, saturated at the bounds of `Int64` microseconds.
    public static func minutes(_ value: Int64) -> FerryDuration {
        FerryDuration(microseconds: value.saturatingMultiplied(by: 60_000_000))
    }

    /// A duration of the given number of hours.
    ///
    /// - Parameter value: The number of hours.
    /// - Returns: The duration, saturated at the bounds of `Int64` microseconds.
    public static func hours(_ value: Int64) -> FerryDuration {
        FerryDuration(microseconds: value.saturatingMultiplied(by: 3_600_000_000))
    }

    /// A duration of the given number of days.
    ///
    /// - Parameter value: The number of days.
    /// - Returns: The duration, saturated at the bounds of `Int64` microseconds.
    public static func days(_ value: Int64) -> FerryDuration {
        FerryDuration(microseconds: value.saturatingMultiplied(by: 86_400_000_000))
    }

    /// The sum of two durations, saturated.
    public static func + (lhs: FerryDuration, rhs: FerryDuration) -> FerryDuration {
        FerryDuration(microseconds: lhs.microseconds.saturatingAdded(rhs.microseconds))
    }

    /// The difference of two durations, saturated.
    public static func - (lhs: FerryDuration, rhs: FerryDuration) -> FerryDuration {
        FerryDuration(microseconds: lhs.microseconds.saturatingSubtracted(rhs.microseconds))
    }

    /// A duration scaled by a whole factor, saturated.
    public static func * (lhs: FerryDuration, rhs: Int64) -> FerryDuration {
        FerryDuration(microseconds: lhs.microseconds.saturatingMultiplied(by: rhs))
    }

    public static func < (lhs: FerryDuration, rhs: FerryDuration) -> Bool {
        lhs.microseconds < rhs.microseconds
    }

    /// The duration in seconds, e.g. `61 s`, `0.5 s` or `50.000001 s`; exact, trailing zeros dropped.
    public var description: String {
        "\(self.secondsText) s"
    }

    /// The duration in seconds without a unit: whole seconds, then up to six decimals with
    /// trailing zeros dropped. Exact, so `50.000001` stays distinguishable from `50`.
    public var secondsText: String {
        let negative = self.microseconds < 0
        // Work on the magnitude as UInt64 so that Int64.min does not overflow.
        let magnitude = self.microseconds.magnitude
        let whole = magnitude / 1_000_000
        var fraction = magnitude % 1_000_000
        var text = (negative ? "-" : "") + String(whole)
        if fraction != 0 {
            var digits = 6
            while fraction % 10 == 0 {
                fraction /= 10
                digits -= 1
            }
            text += "." + String(fraction).leftPadded(to: digits, with: "0")
        }
        return text
    }
}

extension Int64 {
    /// `self + other`, clamped to `Int64.min ... Int64.max`.
    func saturatingAdded(_ other: Int64) -> Int64 {
        let (result, overflow) = self.addingReportingOverflow(other)
        if overflow { return other > 0 ? .max : .min }
        return result
    }

    /// `self - other`, clamped to `Int64.min ... Int64.max`.
    func saturatingSubtracted(_ other: Int64) -> Int64 {
        let (result, overflow) = self.subtractingReportingOverflow(other)
        if overflow { return other < 0 ? .max : .min }
        return result
    }

    /// `self * other`, clamped to `Int64.min ... Int64.max`.
    func saturatingMultiplied(by other: Int64) -> Int64 {
        let (result, overflow) = self.multipliedReportingOverflow(by: other)
        if overflow { return (self < 0) == (other < 0) ? .max : .min }
        return result
    }
}

extension String {
    /// The string padded on the left to at least `width` characters.
    func leftPadded(to width: Int, with pad: Character) -> String {
        let missing = width - self.count
        return missing > 0 ? String(repeating: pad, count: missing) + self : self
    }
}
