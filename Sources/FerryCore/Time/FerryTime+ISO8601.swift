extension FerryTime {
    /// The instant as ISO-8601 in UTC: `2024-05-01T12:00:00Z`, with a fraction of a second only
    /// when there is one (`2024-05-01T12:00:00.25Z`, up to six digits).
    ///
    /// Written without Foundation so that FerryCore stays free of it. Years outside 0...9999 are
    /// printed with a sign (`-0001`, `+10000`), as ISO-8601's expanded form does.
    public var iso8601: String {
        let micros = self.unixMicroseconds
        // Floor division, so that instants before the epoch land on the right day and second.
        let days = micros.flooredDivided(by: 86_400_000_000)
        // From the remainder, not `micros - days * 86_400_000_000`, which overflows near Int64.min.
        let remainder = micros % 86_400_000_000
        let microsOfDay = remainder < 0 ? remainder + 86_400_000_000 : remainder
        let secondsOfDay = microsOfDay / 1_000_000
        var fraction = microsOfDay % 1_000_000

        let (year, month, day) = Self.civilDate(daysSinceEpoch: days)
        var text = Self.yearText(year) + "-" + Self.twoDigits(month) + "-" + Self.twoDigits(day)
        text += "T" + Self.twoDigits(secondsOfDay / 3600)
        text += ":" + Self.twoDigits(secondsOfDay / 60 % 60)
        text += ":" + Self.twoDigits(secondsOfDay % 60)
        if fraction != 0 {
            var digits = 6
            while fraction % 10 == 0 {
                fraction /= 10
                digits -= 1
            }
            text += "." + String(fraction).leftPadded(to: digits, with: "0")
        }
        return text + "Z"
    }

    /// Converts days since 1970-01-01 to a proleptic Gregorian date.
    ///
    /// Howard Hinnant's `civil_from_days`: shift the year to start in March so the leap day is
    /// last, then split into 400-year eras of 146,097 days. Exact for every `Int64` day count that
    /// a microsecond `Int64` can produce.
    static func civilDate(daysSinceEpoch: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = daysSinceEpoch + 719_468
        let era = z.flooredDivided(by: 146_097)
        let dayOfEra = z - era * 146_097  // 0 ... 146096
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365  // 0 ... 399
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)  // 0 ... 365
        let shiftedMonth = (5 * dayOfYear + 2) / 153  // 0 ... 11, March first
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    private static func twoDigits(_ value: Int64) -> String {
        String(value).leftPadded(to: 2, with: "0")
    }

    private static func yearText(_ year: Int64) -> String {
        if year < 0 { return "-" + String(-year).leftPadded(to: 4, with: "0") }
        if year > 9999 { return "+" + String(year) }
        return String(year).leftPadded(to: 4, with: "0")
    }
}

extension Int64 {
    /// Division rounding towards negative infinity (Swift's `/` rounds towards zero).
    func flooredDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
