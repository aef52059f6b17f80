import Foundation

/// The lines above a report's table: its title and the command line, the child processes as they
/// start, and at the end the machine and the load average at the start and the end of the run.
struct ReportHeader: Sendable {
    /// The 1, 5 and 15-minute load averages when the header was made (the run's start).
    let loadAtStart: String
    private var lines: [String]

    /// Starts the header and reads the load average.
    ///
    /// - Parameter title: The report's heading (`## ferry-bench import`).
    init(title: String) {
        lines = [title, "", "- Command: `\(Format.commandLine(CommandLine.arguments))`"]
        loadAtStart = ProcFS.loadAverage() ?? "n/a"
    }

    /// Adds a line.
    mutating func add(_ line: String) {
        lines.append(line)
    }

    /// Adds a line naming a child process: its role, command line and pid.
    ///
    /// - Parameters:
    ///   - role: What the child is to the run (`Server`, `Worker`).
    ///   - child: The child.
    mutating func add(_ role: String, child: ChildProcess) {
        add("- \(role) child: `\(child.commandLine)` (pid \(child.pid))")
    }

    /// Names the source addresses the client's connections came from, when there are several.
    mutating func addSourceAddresses(_ sources: SourceAddresses) {
        if sources.count > 1 { add("- Client source addresses: 127.0.0.1…127.0.0.\(sources.count)") }
    }

    /// The header, finished with the machine and the load average now.
    ///
    /// - Parameters:
    ///   - buildLabel: What the build line calls this executable's build.
    ///   - details: More about the machine, after the build (`RLIMIT_NOFILE 65536`).
    /// - Returns: The lines.
    func finished(buildLabel: String = "ferry-bench build", details: [String] = []) -> [String] {
        #if DEBUG
        let build = "debug (numbers are not meaningful; use -c release)"
        #else
        let build = "release"
        #endif
        return lines + [
            "- Machine: \(ProcessInfo.processInfo.activeProcessorCount) cores, "
                + "\(ProcessInfo.processInfo.operatingSystemVersionString); \(buildLabel): \(build); "
                + details.map { "\($0); " }.joined() + "\(Date())",
            "- Load average (1/5/15 min): \(loadAtStart) at the start, \(ProcFS.loadAverage() ?? "n/a") at the end "
                + "(other work on the machine skews the numbers).",
        ]
    }
}
