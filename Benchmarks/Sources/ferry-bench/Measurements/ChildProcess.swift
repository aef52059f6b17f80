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

    /// Starts `executable` with its log (standard error) on a pipe, its standard output discarded.
    private init(name: String, executable: String, arguments: [String], grace: Duration) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        // swift-log's StreamLogHandler.standardError: every log line goes to standard error.
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        self.name = name
        self.grace = grace
        self.process = ProcessBox(process)
        output = LineCollector(errors.fileHandleForReading)
        pid = process.processIdentifier
        commandLine = Format.commandLine([executable] + arguments)
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
        let deadline = ContinuousClock.now + timeout
        // Bounded by the deadline; polls because the reading thread cannot be awaited directly.
        while ContinuousClock.now < deadline {
            if child.output.first(where: { $0.contains(readyLine) }) != nil {
                return child
            }
            guard child.isRunning else {
                try? await Task.sleep(for: .milliseconds(100))
                throw BenchError(
                    "\(name) exited with status \(child.process.value.terminationStatus) before it \(readiness): "
                        + child.lastLogLines(10).joined(separator: " | "))
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        kill(child.pid, SIGKILL)
        child.process.value.waitUntilExit()
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
