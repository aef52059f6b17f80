import Foundation

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
        await process.terminate(name: "the server", grace: grace)
    }

    /// This executable, so the child is the same build: `/proc/self/exe`, else argv[0].
    static func selfExecutablePath() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        if length > 0 {
            return String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        return Bundle.main.executablePath ?? CommandLine.arguments[0]
    }
}
