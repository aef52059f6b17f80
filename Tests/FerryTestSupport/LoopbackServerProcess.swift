import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A test server run as a child process on a free 127.0.0.1 port, its output in a log file:
/// started, polled until it accepts connections (a port taken meanwhile gets a new try, three in
/// all), and killed at the end.
public final class LoopbackServerProcess: @unchecked Sendable {
    /// The port it listens on.
    public let port: Int
    private let process: Process
    private let logPath: String

    private init(port: Int, process: Process, logPath: String) {
        self.port = port
        self.process = process
        self.logPath = logPath
    }

    deinit {
        stop()
    }

    /// Starts a server and waits until it accepts connections.
    ///
    /// - Parameters:
    ///   - name: Names the log file (`ferry-NAME-PORT-….log`) and the error.
    ///   - executable: The program.
    ///   - patience: How long it may take to listen.
    ///   - arguments: Its arguments, for the port chosen.
    /// - Throws: `LoopbackServerError` with the last log when no try listened.
    public static func start(
        name: String, executable: String, patience: Duration, arguments: (_ port: Int) -> [String]
    ) async throws -> LoopbackServerProcess {
        var lastLog = ""
        for _ in 0..<3 {
            let port = try await LoopbackPort.free()
            let logPath = FileManager.default.temporaryDirectory
                .appendingPathComponent("ferry-\(name)-\(port)-\(UUID().uuidString).log").path
            _ = FileManager.default.createFile(atPath: logPath, contents: nil)
            let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments(port)
            process.standardOutput = log
            process.standardError = log
            try TestProcesses.run(process)
            try? log.close()
            let server = LoopbackServerProcess(port: port, process: process, logPath: logPath)
            if try await LoopbackPort.waitForListener(port: port, timeout: patience, alive: { process.isRunning }) {
                return server
            }
            lastLog = server.log
            server.stop()
        }
        throw LoopbackServerError(message: "\(name) did not start:\n\(lastLog)")
    }

    /// Kills the server (SIGKILL: some servers' SIGTERM handlers leave the process up while a
    /// client holds a connection), waits for it, and removes its log.
    public func stop() {
        TestProcesses.reapKilled(process)
        try? FileManager.default.removeItem(atPath: logPath)
    }

    /// Whether the server process is still running.
    public var isRunning: Bool { process.isRunning }

    /// What the server logged so far.
    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
}

/// A test server did not start.
public struct LoopbackServerError: Error, CustomStringConvertible {
    /// What failed, with the server's last log.
    public var description: String { message }
    let message: String
}
