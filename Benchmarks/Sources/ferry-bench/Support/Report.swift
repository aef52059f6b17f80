import Foundation

/// The benchmark's output: a markdown table of metrics against the targets of issue 2, followed
/// by details (counts, failures) that explain the numbers.
struct Report: Sendable {
    /// Whether a metric met its target.
    enum Verdict: String, Sendable {
        case pass
        case fail
        case info = "—"
        case error
        /// The measurement did not measure what the target is about (for example, no load reached the server).
        case invalid
    }

    /// One table row.
    struct Row: Sendable {
        var metric: String
        var value: String
        var target: String
        var verdict: Verdict
    }

    private(set) var rows: [Row] = []
    private(set) var details: [String] = []

    /// Adds a row.
    mutating func add(_ metric: String, _ value: String, target: String = "—", _ verdict: Verdict = .info) {
        rows.append(Row(metric: metric, value: value, target: target, verdict: verdict))
    }

    /// Adds a row for a metric that could not be measured.
    mutating func failed(_ metric: String, target: String = "—", _ error: any Error) {
        rows.append(Row(metric: metric, value: "error", target: target, verdict: .error))
        note("\(metric): \(error)")
    }

    /// Adds a line below the table.
    mutating func note(_ line: String) {
        details.append(line)
    }

    /// The report as markdown.
    func render(header: [String]) -> String {
        var lines = header
        lines.append("")
        lines.append("| Metric | Value | Target | Result |")
        lines.append("|---|---:|---:|:---:|")
        for row in rows {
            lines.append("| \(row.metric) | \(row.value) | \(row.target) | \(row.verdict.rawValue) |")
        }
        if !details.isEmpty {
            lines.append("")
            lines.append(contentsOf: details.map { "- \($0)" })
        }
        return lines.joined(separator: "\n")
    }
}

/// Number formatting for the report.
enum Format {
    /// An integer with thousands separators: `412,345`.
    static func count(_ value: some BinaryInteger) -> String {
        let digits = String(value.magnitude)
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return value < 0 ? "-" + result : result
    }

    /// A rate rounded to an integer with separators.
    static func rate(_ value: Double) -> String {
        count(Int(value.rounded()))
    }

    /// A duration in µs below 10 ms, else in ms.
    static func latency(_ duration: Duration?) -> String {
        guard let duration else { return "n/a" }
        let micros = duration.seconds * 1e6
        if micros < 10_000 { return String(format: "%.0f µs", micros) }
        return String(format: "%.2f ms", micros / 1000)
    }

    /// Bytes as KiB with one decimal.
    static func kibibytes(_ bytes: Double?) -> String {
        guard let bytes else { return "n/a" }
        return String(format: "%.1f KiB", bytes / 1024)
    }

    /// Bytes as MiB with one decimal.
    static func mebibytes(_ bytes: UInt64) -> String {
        String(format: "%.1f MiB", Double(bytes) / 1_048_576)
    }

    /// A number with `digits` decimals.
    static func decimal(_ value: Double?, _ digits: Int = 2) -> String {
        guard let value else { return "n/a" }
        return String(format: "%.\(digits)f", value)
    }

    /// A command line with arguments quoted where the shell needs it.
    static func commandLine(_ arguments: [String]) -> String {
        arguments.map { argument in
            let plain = argument.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:,@".contains($0) }
            return plain && !argument.isEmpty ? argument : "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }.joined(separator: " ")
    }
}
