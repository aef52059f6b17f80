import FerryCore

/// How ferryctl writes instants, which the API carries as Unix microseconds with 0 for "not set".
public enum TimeText {
    /// RFC 3339 in UTC with as many fraction digits as the instant has (up to six, so nothing is
    /// lost): `2026-12-04T20:31:11Z`, `2026-12-04T20:31:11.25Z`; `nil` for 0.
    public static func rfc3339(unixMicros micros: Int64) -> String? {
        micros == 0 ? nil : FerryTime(unixMicroseconds: micros).iso8601
    }

    /// For people: the instant to the second and its age at `nowMicros`,
    /// `2026-12-04T20:31:11Z (3m ago)`; `-` when not set.
    public static func withAge(unixMicros micros: Int64, nowMicros: Int64) -> String {
        guard micros > 0 else { return "-" }
        let second = FerryTime(unixMicroseconds: micros - micros % 1_000_000)
        return "\(second.iso8601) (\(Age.format(unixMicros: micros, nowMicros: nowMicros)) ago)"
    }

    /// The time of day in UTC to the second, `20:31:11Z`, to stamp the lines of a live view.
    public static func clock(unixMicros micros: Int64) -> String {
        let text = FerryTime(unixMicroseconds: micros - micros % 1_000_000).iso8601
        guard let t = text.firstIndex(of: "T") else { return text }
        return String(text[text.index(after: t)...])
    }
}
