import FerryCLI
import Testing

/// Instants as ferryctl writes them.
struct TimeTextTests {
    @Test func rfc3339KeepsEveryMicrosecond() {
        #expect(TimeText.rfc3339(unixMicros: Sample.now) == "2024-05-01T12:00:00Z")
        #expect(TimeText.rfc3339(unixMicros: Sample.now + 250_000) == "2024-05-01T12:00:00.25Z")
        #expect(TimeText.rfc3339(unixMicros: Sample.now + 1) == "2024-05-01T12:00:00.000001Z")
        #expect(TimeText.rfc3339(unixMicros: 0) == nil, "0 is not set")
    }
}
