import Testing

@testable import FerryCore

@Suite("Time")
struct TimeTests {
    @Test(
        "ISO-8601 formatting",
        arguments: [
            (Int64(0), "1970-01-01T00:00:00Z"),
            (1_714_564_800_000_000, "2024-05-01T12:00:00Z"),
            (1_714_564_800_250_000, "2024-05-01T12:00:00.25Z"),
            (1_714_564_800_000_001, "2024-05-01T12:00:00.000001Z"),
            (951_782_400_000_000, "2000-02-29T00:00:00Z"),
            (-1, "1969-12-31T23:59:59.999999Z"),
            (-86_400_000_000, "1969-12-31T00:00:00Z"),
            (253_402_300_799_000_000, "9999-12-31T23:59:59Z"),
            (-62_167_219_200_000_000, "0000-01-01T00:00:00Z"),
        ]
    )
    func iso8601(micros: Int64, expected: String) {
        #expect(FerryTime(unixMicroseconds: micros).iso8601 == expected)
    }

    @Test("ISO-8601 formatting agrees with day arithmetic over 400 years")
    func iso8601Sweep() {
        // Every 1st of March and 28th of February around leap years, by construction.
        var days: Int64 = 0
        var year: Int64 = 1970
        while year < 2370 {
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
            let time = FerryTime.unixSeconds(days * 86_400)
            #expect(time.iso8601 == "\(year)-01-01T00:00:00Z")
            days += leap ? 366 : 365
            year += 1
        }
    }

    @Test("The extreme instants format without trapping")
    func extremes() {
        #expect(FerryTime(unixMicroseconds: .max).iso8601.hasPrefix("+294247-01-10T04:00:54.775807"))
        #expect(FerryTime(unixMicroseconds: .min).iso8601.hasPrefix("-290308-12-21T19:59:05.224192"))
    }

    @Test(
        "Durations print exact seconds",
        arguments: [
            (Int64(0), "0 s"), (61_000_000, "61 s"), (500_000, "0.5 s"), (50_000_001, "50.000001 s"),
            (-1_500_000, "-1.5 s"), (Int64.min, "-9223372036854.775808 s"),
        ]
    )
    func durationText(micros: Int64, expected: String) {
        #expect(FerryDuration(microseconds: micros).description == expected)
    }

    @Test("Arithmetic saturates instead of trapping")
    func saturation() {
        #expect(FerryDuration.days(Int64.max) == FerryDuration(microseconds: .max))
        #expect(FerryDuration.seconds(Int64.min) == FerryDuration(microseconds: .min))
        #expect(FerryTime(unixMicroseconds: .max) + .seconds(1) == FerryTime(unixMicroseconds: .max))
        #expect(
            FerryTime(unixMicroseconds: .max) - FerryTime(unixMicroseconds: .min) == FerryDuration(microseconds: .max)
        )
        #expect(
            FerryTime(unixMicroseconds: .min) - FerryTime(unixMicroseconds: .max) == FerryDuration(microseconds: .min)
        )
        #expect(FerryDuration.seconds(10) * 5 == .seconds(50))
    }

    @Test("ManualClock reads, advances and sets")
    func manualClock() {
        let clock = ManualClock(.unixSeconds(100))
        #expect(clock.now() == .unixSeconds(100))
        clock.advance(by: .microseconds(1))
        #expect(clock.now() == FerryTime(unixMicroseconds: 100_000_001))
        clock.set(to: .epoch)
        #expect(clock.now() == .epoch)
    }

    @Test("ManualClock is safe to use from many tasks")
    func manualClockConcurrent() async {
        let clock = ManualClock()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<100 {
                group.addTask { clock.advance(by: .microseconds(1)) }
            }
        }
        #expect(clock.now() == FerryTime(unixMicroseconds: 100))
    }
}
