import FerryCLI
import Testing

/// Instants and durations as ferryctl writes them.
struct TimeTextTests {
    @Test func rfc3339KeepsEveryMicrosecond() {
        #expect(TimeText.rfc3339(unixMicros: Sample.now) == "2024-05-01T12:00:00Z")
        #expect(TimeText.rfc3339(unixMicros: Sample.now + 250_000) == "2024-05-01T12:00:00.25Z")
        #expect(TimeText.rfc3339(unixMicros: Sample.now + 1) == "2024-05-01T12:00:00.000001Z")
        #expect(TimeText.rfc3339(unixMicros: 0) == nil, "0 is not set")
    }

    @Test func withAgeIsToTheSecond() {
        let time = Sample.now - 60_000_000 + 999_999
        #expect(TimeText.withAge(unixMicros: time, nowMicros: Sample.now) == "2024-05-01T11:59:00Z (59s ago)")
        #expect(TimeText.withAge(unixMicros: Sample.now - 3_600_000_000, nowMicros: Sample.now) == "2024-05-01T11:00:00Z (60m ago)")
        #expect(TimeText.withAge(unixMicros: 0, nowMicros: Sample.now) == "-")
    }

    @Test func durations() {
        #expect(DurationText.format(micros: 800) == "800µs")
        #expect(DurationText.format(micros: 250_000) == "250ms")
        #expect(DurationText.format(micros: 12_500_000) == "12.5s")
        #expect(DurationText.format(micros: 200_000_000) == "3m20s")
        #expect(DurationText.format(micros: 7_500_000_000) == "2h5m")
        #expect(DurationText.format(micros: 100 * 3_600_000_000) == "4d4h")
    }
}
