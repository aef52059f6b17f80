import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A real `ferryd` child process (release build of the root package) for `server-load`: its own
/// temporary database, local-files root and tokens file, listening on 127.0.0.1 with the dev
/// certificates; ready once it logged `ferryd listening`, stopped with SIGTERM.
final class FerrydProcess: Sendable {
    /// The child's process id.
    let pid: Int32
    /// The port it listens on, on 127.0.0.1.
    let port: Int
    /// The command line it was started with.
    let commandLine: String
    /// The temporary directory holding its database, tokens file and local-files root.
    let directory: String
    /// The local-files root storages must stay under.
    var localFilesRoot: String { directory + "/files" }

    private let process: ProcessBox
    private let output: LineCollector

    private init(process: ProcessBox, output: LineCollector, port: Int, commandLine: String, directory: String) {
        self.process = process
        self.output = output
        self.pid = process.value.processIdentifier
        self.port = port
        self.commandLine = commandLine
        self.directory = directory
    }

    /// Starts `ferryd` and waits until it listens.
    ///
    /// - Parameters:
    ///   - executable: The `ferryd` binary.
    ///   - certificates: The dev PKI (server certificate, CA).
    ///   - tokenLine: The tokens file's one line (`sha256:<hex> admin bench`).
    ///   - pingInterval: `--sync-ping-interval-seconds`.
    ///   - staleAfter: `--sync-stale-after-seconds` (long, so nothing goes stale during the run).
    ///   - timeout: How long it may take to listen.
    /// - Returns: The running server.
    /// - Throws: ``BenchError`` when it exits or stays silent.
    static func launch(
        executable: String,
        certificates: BenchCertificates,
        tokenLine: String,
        pingInterval: Double,
        staleAfter: Double,
        timeout: Duration = .seconds(60)
    ) async throws -> FerrydProcess {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("ferry-bench-ferryd-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory + "/files/inbox", withIntermediateDirectories: true)
        try Data((tokenLine + "\n").utf8).write(to: URL(fileURLWithPath: directory + "/tokens"))
        let port = try freePort()
        let arguments = [
            "--listen", "127.0.0.1:\(port)",
            "--tls-cert", certificates.serverCertificate,
            "--tls-key", certificates.serverKey,
            "--tls-ca", certificates.caPath,
            "--database-path", directory + "/ferry.db",
            "--auth-tokens-file", directory + "/tokens",
            "--storage-local-files-root", directory + "/files",
            "--sync-ping-interval-seconds", String(pingInterval),
            "--sync-stale-after-seconds", String(staleAfter),
            "--log-level", "info",
        ]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let box = ProcessBox(process)
        let lines = LineCollector(errors.fileHandleForReading)
        let commandLine = Format.commandLine([executable] + arguments)

        let deadline = ContinuousClock.now + timeout
        // Bounded by the deadline; polls because the reading thread cannot be awaited directly.
        while ContinuousClock.now < deadline {
            if lines.first(where: { $0.contains("ferryd listening") }) != nil {
                return FerrydProcess(process: box, output: lines, port: port, commandLine: commandLine, directory: directory)
            }
            guard process.isRunning else {
                try? await Task.sleep(for: .milliseconds(100))
                throw BenchError(
                    "ferryd exited with status \(process.terminationStatus) before it listened: "
                        + lines.last(10).joined(separator: " | "))
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        throw BenchError("ferryd did not log 'ferryd listening' within \(timeout)")
    }

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

    /// Lines of its log matching `predicate`.
    func logLines(where predicate: @escaping (String) -> Bool) -> Int {
        output.count(where: predicate)
    }

    /// Sends SIGTERM, waits up to `grace`, then SIGKILL; returns the exit status. Removes the
    /// temporary directory afterwards.
    @discardableResult
    func terminate(grace: Duration = .seconds(20)) async -> Int32 {
        let process = self.process.value
        defer { try? FileManager.default.removeItem(atPath: directory) }
        guard process.isRunning else { return process.terminationStatus }
        kill(pid, SIGTERM)
        let deadline = ContinuousClock.now + grace
        // Bounded by the grace period.
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning {
            FileHandle.standardError.write(Data("ferry-bench: ferryd ignored SIGTERM for \(grace); killing it\n".utf8))
            kill(pid, SIGKILL)
        }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// A port on 127.0.0.1 that nothing listens on right now (bound to port 0, then released).
    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BenchError("socket() failed: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw BenchError("bind() failed: errno \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw BenchError("getsockname() failed: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Finds `.build/release/ferryd` of the root package: next to these sources, else above the
    /// working directory.
    static func defaultExecutable() throws -> String {
        let relative = ".build/release/ferryd"
        // Sources/ferry-bench/Measurements/ → Benchmarks/ → repository root.
        var candidates = [
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent(relative).path
        ]
        var directory = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        for _ in 0..<4 {
            candidates.append(directory.appendingPathComponent(relative).path)
            directory.deleteLastPathComponent()
        }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw BenchError(
                "Cannot find \(relative); build it with `swift build -c release --product ferryd` or pass --ferryd PATH")
        }
        return found
    }
}
