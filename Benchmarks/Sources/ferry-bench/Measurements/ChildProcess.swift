import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A real executable of the root package (`ferryd`, `ferry-worker`) run as a child process: its
/// log (standard error) kept line by line, ready once it logged a given line, measured through
/// `/proc/<pid>`, and stopped with SIGTERM (SIGKILL after a grace period).
final class ChildProcess: Sendable {
    /// The executable's name, for messages and the report.
    let name: String
    /// The child's process id.
    let pid: Int32
    /// The command line it was started with.
    let commandLine: String

    private let process: ProcessBox
    private let output: LineCollector
    private let grace: Duration
    /// The gate of a child started by ``standby(_:executable:arguments:grace:)``.
    private let gate: FileHandle?

    /// Starts `executable` with its log (standard error) on a pipe, its standard output discarded;
    /// with `gated`, a shell holds it until a line arrives on its standard input
    /// (``open(readyLine:readiness:timeout:)``), then becomes it (same pid, same log).
    private init(name: String, executable: String, arguments: [String], grace: Duration, gated: Bool = false) throws {
        let process = Process()
        let gate = gated ? Pipe() : nil
        if let gate {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "read -r go && exec \"$0\" \"$@\"", executable] + arguments
            process.standardInput = gate
        } else {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        }
        // swift-log's StreamLogHandler.standardError: every log line goes to standard error.
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        self.name = name
        self.grace = grace
        self.process = ProcessBox(process)
        self.gate = gate?.fileHandleForWriting
        output = LineCollector(errors.fileHandleForReading)
        pid = process.processIdentifier
        commandLine = Format.commandLine([executable] + arguments)
    }

    /// Spawns `executable` now but holds it at a gate until ``open(readyLine:readiness:timeout:)``:
    /// for a restart in a process that will by then hold thousands of descriptors, which
    /// Foundation's `Process.run()` does not survive.
    static func standby(_ name: String, executable: String, arguments: [String], grace: Duration) throws -> ChildProcess {
        try ChildProcess(name: name, executable: executable, arguments: arguments, grace: grace, gated: true)
    }

    /// Lets a child started by ``standby(_:executable:arguments:grace:)`` run, and waits until it
    /// logs `readyLine` (see ``launch(_:executable:arguments:readyLine:readiness:timeout:grace:)``).
    func open(readyLine: String, readiness: String, timeout: Duration) async throws {
        try gate?.write(contentsOf: Data("go\n".utf8))
        try await waitUntilReady(readyLine: readyLine, readiness: readiness, timeout: timeout)
    }

    /// Starts `executable` and waits until it logs `readyLine`.
    ///
    /// - Parameters:
    ///   - name: The executable's name (`ferryd`), for messages.
    ///   - executable: The binary.
    ///   - arguments: Its arguments.
    ///   - readyLine: Text of the log line that says it is ready (`ferryd listening`).
    ///   - readiness: What that line means, after "before it" (`listened`), for the error when it exits first.
    ///   - timeout: How long it may take to log `readyLine`.
    ///   - grace: How long ``stop()`` gives it to exit after SIGTERM.
    /// - Returns: The running child.
    /// - Throws: ``BenchError`` when it exits or stays silent.
    static func launch(
        _ name: String,
        executable: String,
        arguments: [String],
        readyLine: String,
        readiness: String,
        timeout: Duration,
        grace: Duration
    ) async throws -> ChildProcess {
        let child = try ChildProcess(name: name, executable: executable, arguments: arguments, grace: grace)
        try await child.waitUntilReady(readyLine: readyLine, readiness: readiness, timeout: timeout)
        return child
    }

    private func waitUntilReady(readyLine: String, readiness: String, timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        // Bounded by the deadline; polls because the reading thread cannot be awaited directly.
        while ContinuousClock.now < deadline {
            if output.first(where: { $0.contains(readyLine) }) != nil {
                return
            }
            guard isRunning else {
                try? await Task.sleep(for: .milliseconds(100))
                throw BenchError(
                    "\(name) exited with status \(process.value.terminationStatus) before it \(readiness): "
                        + lastLogLines(10).joined(separator: " | "))
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        killNow()
        throw BenchError("\(name) did not log '\(readyLine)' within \(timeout)")
    }

    /// Whether the child is still running.
    var isRunning: Bool { process.value.isRunning }

    /// The CPU time (user + system) the child has used so far.
    func cpuTime() -> Duration? {
        ProcFS.cpuTime(pid: pid)
    }

    /// The child's resident set size.
    func residentBytes() -> Int? {
        ProcFS.residentBytes(pid: pid)
    }

    /// The last lines of its log.
    func lastLogLines(_ count: Int) -> [String] {
        output.last(count)
    }

    /// The lines of its log that match `predicate`.
    func logLines(where predicate: (String) -> Bool) -> [String] {
        output.lines(where: predicate)
    }

    /// Waits until the child exits by itself.
    ///
    /// - Returns: Whether it did within `timeout`.
    func waitForExit(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        // Bounded by the deadline; polls because the process cannot be awaited directly.
        while isRunning {
            guard ContinuousClock.now < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return true
    }

    /// Kills the child with SIGKILL and waits until it is gone.
    func killNow() {
        kill(pid, SIGKILL)
        process.value.waitUntilExit()
    }

    /// Stops the child (SIGTERM, SIGKILL after the grace period) and says, for the report, its
    /// resident set size just before and its exit status.
    func stop() async -> String {
        let rss = residentBytes()
        let status = await process.terminate(name: name, grace: grace)
        return "\(name) \(pid) RSS at the end \(rss.map { Format.mebibytes(UInt64($0)) } ?? "n/a"); "
            + "exited with status \(status) after SIGTERM"
    }

    /// Finds `.build/release/<product>` of the root package (`ferryd`, `ferry-worker`): next to
    /// these sources, else above the working directory.
    static func defaultExecutable(_ product: String) throws -> String {
        let relative = ".build/release/\(product)"
        guard let found = RepositoryPath.find(relative, where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw BenchError(
                "Cannot find \(relative); build it with `swift build -c release --product \(product)` or pass --\(product) PATH")
        }
        return found
    }
}
