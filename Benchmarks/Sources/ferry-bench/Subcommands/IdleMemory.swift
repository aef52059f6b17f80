import ArgumentParser

/// `ferry-bench idle-memory`: a real `ferryd` (release build) and bursts of plain TCP connections
/// that never start TLS: its RSS before each burst, with the connections open, and after they
/// closed, so a server that keeps what a burst allocated shows.
struct IdleMemory: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "idle-memory",
        abstract: "Measure ferryd's memory before, during and after bursts of idle TCP connections."
    )

    @OptionGroup var ferrydOptions: FerrydOptions

    @Option(parsing: .upToNextOption, help: "The bursts, one after the other against the same ferryd.")
    var connections = [2_000, 10_000]

    func validate() throws {
        guard !connections.isEmpty, connections.allSatisfy({ $0 > 0 }) else {
            throw ValidationError("--connections: positive counts")
        }
    }

    func run() async throws {
        let fileLimit = ProcFS.raiseFileLimit(to: max(65_536, (connections.max() ?? 0) + 1_024))
        let certificates = try ferrydOptions.certificates.ensure()
        let budget = Duration.seconds(120 + 60 * connections.count)
        var run = try await FerrydRun.start(
            "## ferry-bench idle-memory", executable: try ferrydOptions.executable(), options: ferrydOptions,
            certificates: certificates, pingInterval: 10, budget: budget)
        run.header.add("- This process's RLIMIT_NOFILE: \(fileLimit) (ferryd raises its own soft limit to its hard limit).")
        for (index, count) in connections.enumerated() {
            ProgressLog.write("[\(index + 1)/\(connections.count)] \(count) TCP connections that send nothing")
            let result = await SilentConnections.measure(
                pid: run.server.child.pid, port: run.server.port, count: count,
                openLimit: .seconds(8), closeLimit: .seconds(30))
            Self.add(result, to: &run.report)
        }
        await run.finish(ending: ".")
    }

    private static func add(_ result: SilentConnectionsResult, to report: inout Report) {
        let label = "\(Format.count(result.opened)) idle TCP connections"
        func mib(_ bytes: Int) -> String { Format.mebibytes(UInt64(max(0, bytes))) }
        report.add("ferryd RSS before \(label)", mib(result.before.resident))
        report.add("ferryd RSS with \(label) open", mib(result.open.resident))
        report.add("ferryd RSS per idle TCP connection (before TLS)", Format.kibibytes(result.bytesPerConnection))
        report.add("ferryd RSS after \(label) closed", mib(result.closed.resident))
        report.note(
            "\(label) (\(Format.count(result.requested)) asked for): descriptors \(result.before.files) → "
                + "\(result.open.files) → \(result.closed.files)"
                + (result.settled ? "." : "; RSS or descriptors did not settle within the limits."))
    }
}
