public import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Starts, reads and reaps the tests' child processes without the descriptor races of
/// Foundation's `Process` on Linux, where many tests start children at once.
///
/// `Process.run()` lists the descriptors its child must close before it spawns, and makes the
/// socket that tells it the child exited without close-on-exec. A pipe or such a socket that
/// another test made meanwhile was inherited by that test's child: a reader then waited for the
/// end of a pipe, or a test for an exit, until an unrelated long-lived child ended (and forever
/// when that child was never stopped). So every pipe made here is close-on-exec from the start
/// (the child's own ends are duplicated onto its standard descriptors, which clears the flag),
/// and every start holds one lock, so no two `run()` calls overlap.
public enum TestProcesses {
    private static let spawnLock = NSLock()

    /// A pipe whose two ends no child inherits unless it is handed to that child.
    public static func pipe() -> Pipe {
        let pipe = Pipe()
        for descriptor in [pipe.fileHandleForReading.fileDescriptor, pipe.fileHandleForWriting.fileDescriptor] {
            _ = fcntl(descriptor, F_SETFD, fcntl(descriptor, F_GETFD) | FD_CLOEXEC)
        }
        return pipe
    }

    /// The test run's environment without `FERRY_*` and `FERRYCTL_*` variables: those that
    /// configure the test run itself (`FERRY_KEEP_CRASH_DIR`, a script's `FERRY_BIN`) are not
    /// the children's settings, and ferryd, ferry-worker and ferryctl refuse variables they do
    /// not read.
    public static var childEnvironment: [String: String] {
        ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("FERRY_") && !$0.key.hasPrefix("FERRYCTL_") }
    }

    /// Starts `process` while no other test starts one; without an environment of its own it
    /// gets ``childEnvironment``.
    public static func run(_ process: Process) throws {
        if process.environment == nil { process.environment = childEnvironment }
        try spawnLock.withLock { try process.run() }
    }

    /// Runs a program to its end with ``childEnvironment``, its output and errors into one pipe.
    ///
    /// - Parameters:
    ///   - path: The executable.
    ///   - arguments: Its arguments.
    ///   - timeout: How long it may run before it is killed.
    /// - Returns: Its exit status (`nil` if it had to be killed) and what it printed.
    public static func runToEnd(_ path: String, _ arguments: [String], within timeout: Duration) async throws
        -> (status: Int32?, output: String)
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let output = pipe()
        process.standardOutput = output
        process.standardError = output
        try run(process)
        return try await finish(process, reading: output, within: timeout)
    }

    /// Waits, without holding a thread, until `process` has exited or `timeout` has passed.
    ///
    /// - Returns: Its exit status (or terminating signal), or `nil` if it is still running.
    public static func exitStatus(of process: Process, within timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now >= deadline { return nil }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return process.terminationStatus
    }

    /// Sends `signal`, waits up to `timeout` for the exit, then kills it if it is still running.
    ///
    /// - Returns: Its exit status, or `nil` if it had to be killed.
    @discardableResult
    public static func stop(_ process: Process, with signal: Int32, within timeout: Duration) async -> Int32? {
        if process.isRunning { kill(process.processIdentifier, signal) }
        if let status = await exitStatus(of: process, within: timeout) { return status }
        reapKilled(process)
        return nil
    }

    /// `kill -9`, then waits for the exit (which a killed child cannot delay).
    public static func reapKilled(_ process: Process) {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Everything a child writes into `pipe` until it closes it, read on the tests' blocking pool.
    public static func readToEnd(_ pipe: Pipe) async throws -> String {
        let handle = pipe.fileHandleForReading
        return try await TestBlockingWork.run {
            String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        }
    }

    /// Feeds `input` to the child's standard input (when given), reads what it writes into `pipe`
    /// to the end, and waits for its exit; a child still running after `timeout` is killed.
    ///
    /// - Returns: Its exit status (`nil` if it had to be killed) and everything it wrote.
    public static func finish(
        _ process: Process, input: (pipe: Pipe, data: Data)? = nil, reading pipe: Pipe, within timeout: Duration
    ) async throws -> (status: Int32?, output: String) {
        async let output = readToEnd(pipe)
        if let input {
            let handle = input.pipe.fileHandleForWriting
            try await TestBlockingWork.run {
                handle.write(input.data)
                try handle.close()
            }
        }
        let status = await exitStatus(of: process, within: timeout)
        if status == nil { reapKilled(process) }
        return (status, try await output)
    }
}
