import ArgumentParser
import FerryRPC
import FerryTransport
import Foundation

/// `ferry-bench pinger`: the loaded-latency pinger of `run --pinger-process`, as a client process
/// of its own, like a second client of a loaded server: pings with a pause between them for a
/// number of seconds, then writes its sample to standard error as one `PINGS <json>` line.
struct Pinger: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pinger",
        abstract: "Ping a bench server for a while and report the round trips (run by `run --pinger-process`).",
        shouldDisplay: false
    )

    @Option(help: "The bench server's port on 127.0.0.1.")
    var port: Int

    @OptionGroup var certificateOptions: CertificateOptions

    @Option(help: "Seconds of pings.")
    var seconds: Double

    @Option(help: "Milliseconds between a reply and the next ping.")
    var pauseMilliseconds = 100

    /// What starts its log once it is connected, for the parent to wait on.
    static let connectedLine = "pinger connected"
    /// What starts the line that carries its sample.
    static let reportPrefix = "PINGS "

    func run() async throws {
        let target = BenchTarget(port: port, tls: try certificateOptions.ensure().clientContext())
        let transport = target.makeTransport()
        try await transport.connect()
        FileHandle.standardError.write(Data((Self.connectedLine + "\n").utf8))
        let sample = await Latency.measure(
            client: RPCClient(transport: transport), warmUp: 0, count: 10_000_000, until: .now + .seconds(seconds),
            pause: .milliseconds(pauseMilliseconds))
        await transport.close()
        let report = try JSONEncoder().encode(PingerReport(sample))
        FileHandle.standardError.write(Data((Self.reportPrefix + String(decoding: report, as: UTF8.self) + "\n").utf8))
    }
}

/// A ``LatencySample`` as the pinger process hands it to its parent.
struct PingerReport: Codable {
    var nanoseconds: [Int64]
    var requestLegs: [Int64]
    var responseLegs: [Int64]
    var failures: Int
    /// The slowest call: latency, start after the first call, request leg, response leg (ns).
    var slowest: [Int64]?

    init(_ sample: LatencySample) {
        nanoseconds = sample.nanoseconds
        requestLegs = sample.requestLegs
        responseLegs = sample.responseLegs
        failures = sample.failures
        slowest = sample.slowest.map {
            [$0.latency.nanoseconds, $0.startedAfter.nanoseconds, $0.requestLeg.nanoseconds, $0.responseLeg.nanoseconds]
        }
    }

    /// The sample again.
    var sample: LatencySample {
        var sample = LatencySample()
        sample.nanoseconds = nanoseconds
        sample.requestLegs = requestLegs
        sample.responseLegs = responseLegs
        sample.failures = failures
        if let slowest, slowest.count == 4 {
            sample.slowest = (
                .nanoseconds(slowest[0]), .nanoseconds(slowest[1]), .nanoseconds(slowest[2]), .nanoseconds(slowest[3])
            )
        }
        return sample
    }

    /// Reads the report from a pinger's log line.
    ///
    /// - Throws: ``BenchError`` when the line does not hold one.
    init(line: String) throws {
        guard line.hasPrefix(Pinger.reportPrefix) else { throw BenchError("not a pinger report: \(line.prefix(80))") }
        self = try JSONDecoder().decode(PingerReport.self, from: Data(line.dropFirst(Pinger.reportPrefix.count).utf8))
    }
}
