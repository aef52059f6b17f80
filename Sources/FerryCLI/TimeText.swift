import FerryCore

/// How ferryctl writes instants, which the API carries as Unix microseconds with 0 for "not set".
public enum TimeText {
    /// RFC 3339 in UTC with as many fraction digits as the instant has (up to six, so nothing is
    /// lost): `2026-12-04T20:31:11Z`, `2026-12-04T20:31:11.25Z`; `nil` for 0.
    public static func rfc3339(unixMicros micros: Int64) -> String? {
        micros == 0 ? nil : FerryTime(unixMicroseconds: micros).iso8601
    }
}
