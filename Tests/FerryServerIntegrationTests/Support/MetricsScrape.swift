import FerryTestSupport
import Foundation

/// The samples of one `/metrics` page, read by `scripts/scrape-metrics.py` (prometheus_client's
/// parser: a page it cannot parse fails the scrape).
struct MetricsScrape {
    struct Sample: Decodable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    let samples: [Sample]

    /// Scrapes `http://127.0.0.1:port/metrics`.
    static func scrape(port: Int) async throws -> MetricsScrape {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", TestPKI.repositoryRoot + "/scripts/scrape-metrics.py", "http://127.0.0.1:\(port)/metrics"]
        let output = TestProcesses.pipe()
        let errors = TestProcesses.pipe()
        process.standardOutput = output
        process.standardError = errors
        try TestProcesses.run(process)
        let (status, text) = try await TestProcesses.finish(process, reading: output, within: .seconds(30))
        guard status == 0 else {
            let reason = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw MetricsScrapeError(message: "scrape of port \(port) failed (\(String(describing: status))): \(reason)")
        }
        return MetricsScrape(samples: try JSONDecoder().decode([Sample].self, from: Data(text.utf8)))
    }

    /// The sum of the samples named `name` whose labels include `labels` (0 with none).
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double {
        samples.filter { sample in sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value } }
            .reduce(0) { $0 + $1.value }
    }

    /// Whether any sample is named `name`.
    func has(_ name: String) -> Bool {
        samples.contains { $0.name == name }
    }

    /// The port a process logged its metrics listener on (`metrics listening … port=N`).
    static func port(inLog log: String) -> Int? {
        for line in log.split(separator: "\n") where line.contains("metrics listening") {
            if let range = line.range(of: "port=") {
                return Int(line[range.upperBound...].prefix { $0.isNumber })
            }
        }
        return nil
    }
}

struct MetricsScrapeError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
