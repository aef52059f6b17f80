import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The `ferry-bench server` child process: started from this executable, ready once it printed
/// `READY <port>`, measured through `/proc/<pid>`, and stopped with SIGTERM.
final class ServerProcess: Sendable {
    /// The child's process id.
    let pid: Int32
    /// The port it listens on, on 127.0.0.1.
    let port: Int
    /// The command line it was started with.
    let commandLine: String

    private let process: ProcessBox

    private init(process: ProcessBox, port: Int, commandLine: String) {
        self.process = process
        self.pid = process.value.processIdentifier
        self.port = port
        self.commandLine = commandLine
    }

    /// Starts the server and waits until it listens.
    ///
    /// - Parameters:
    ///   - certificates: The certificate directory to pass on.
    ///   - timeout: How long it may take to print `READY`.
    /// - Returns: The running server.
    /// - Throws: ``BenchError`` when it exits or stays silent.
    static func launch(certificates: BenchCertificates, timeout: Duration = .seconds(30)) async throws -> ServerProcess {
        let executable = selfExecutablePath()
        let arguments = [
            "server", "--port", "0", "--certs", certificates.directory, "--parent-pid", String(getpid()),
        ]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let box = ProcessBox(process)
        let lines = LineCollector(output.fileHandleForReading)

        let deadline = ContinuousClock.now + timeout
        // Bounded by the deadline; polls because the reading thread cannot be awaited directly.
        while ContinuousClock.now < deadline {
            if let line = lines.first(where: { $0.hasPrefix("READY ") }), let port = Int(line.dropFirst(6)) {
                let commandLine = ([executable] + arguments).joined(separator: " ")
                return ServerProcess(process: box, port: port, commandLine: commandLine)
            }
            guard process.isRunning else {
                throw BenchError("the server exited with status \(process.terminationStatus) before it was ready")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        throw BenchError("the server did not print READY within \(timeout)")
    }

    /// The CPU time (user + system) the child has used so far.
    func cpuTime() -> Duration? {
        ProcFS.cpuTime(pid: pid)
    }

    /// The child's resident set size, read from outside.
    func residentBytes() -> Int? {
        ProcFS.residentBytes(pid: pid)
    }

    /// Sends SIGTERM, waits up to `grace`, then SIGKILL; returns the exit status.
    @discardableResult
    func terminate(grace: Duration = .seconds(10)) async -> Int32 {
        let process = self.process.value
        guard process.isRunning else { return process.terminationStatus }
        kill(pid, SIGTERM)
        let deadline = ContinuousClock.now + grace
        // Bounded by the grace period.
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning {
            FileHandle.standardError.write(Data("ferry-bench: the server ignored SIGTERM for \(grace); killing it\n".utf8))
            kill(pid, SIGKILL)
        }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// This executable, so the child is the same build: `/proc/self/exe`, else argv[0].
    private static func selfExecutablePath() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        if length > 0 {
            return String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        return Bundle.main.executablePath ?? CommandLine.arguments[0]
    }
}

/// `Process` is a class Foundation does not mark `Sendable`; the benchmark only reads its state
/// and signals it, which Foundation does under its own lock.
final class ProcessBox: @unchecked Sendable {
    let value: Process

    init(_ value: Process) {
        self.value = value
    }
}

/// Reads a child's standard output on a thread of its own, keeping the lines and draining the
/// pipe so the child never blocks on a full one.
final class LineCollector: Sendable {
    private let lines = Mutex<[String]>([])

    init(_ handle: FileHandle) {
        let thread = Thread { [self] in
            var pending = Data()
            // Ends at end of file, when the child exits.
            while case let data = handle.availableData, !data.isEmpty {
                pending.append(data)
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                    pending.removeSubrange(pending.startIndex...newline)
                    lines.withLock { $0.append(line) }
                }
            }
        }
        thread.start()
    }

    /// The first line so far that matches.
    func first(where predicate: (String) -> Bool) -> String? {
        lines.withLock { $0.first(where: predicate) }
    }

    /// How many lines so far match.
    func count(where predicate: (String) -> Bool) -> Int {
        lines.withLock { $0.count(where: predicate) }
    }

    /// The last `count` lines so far.
    func last(_ count: Int) -> [String] {
        lines.withLock { Array($0.suffix(count)) }
    }
}
