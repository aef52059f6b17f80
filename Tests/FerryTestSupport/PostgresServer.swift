import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A throwaway PostgreSQL 15 cluster for tests: `initdb` into a temporary directory, `postgres`
/// on a free 127.0.0.1 port with trust authentication and no durability (fsync off), one fresh
/// database per test from ``createDatabase()``.
///
/// PostgreSQL refuses to run as root, so when the tests are root the binaries run as the
/// `postgres` user (through `setpriv`) in a directory that user owns.
///
/// ``shared()`` starts one cluster for the whole test process, stopped (and its directory
/// removed) when the process exits; ``start(crashSafe:)`` and ``stop()`` manage a private one.
public final class PostgresServer: @unchecked Sendable {
    /// The port it listens on (127.0.0.1).
    public let port: Int
    private let directory: String
    private let crashSafe: Bool
    private let lock = NSLock()
    private var running: Process
    private var process: Process { lock.withLock { running } }

    /// The Debian binaries of PostgreSQL 15.
    public static let binaries = "/usr/lib/postgresql/15/bin"

    private init(port: Int, directory: String, crashSafe: Bool, process: Process) {
        self.port = port
        self.directory = directory
        self.crashSafe = crashSafe
        self.running = process
    }

    // MARK: - The shared cluster

    private static let sharedServer = Mutex<Task<PostgresServer, any Error>?>(nil)
    private static let runningServer = Mutex<PostgresServer?>(nil)

    /// The process's cluster, started on first use and stopped when the process exits.
    ///
    /// - Throws: ``Failure`` when PostgreSQL is missing or does not come up (the next call tries again).
    public static func shared() async throws -> PostgresServer {
        let task = sharedServer.withLock { server in
            if let server { return server }
            let started = Task { try await PostgresServer.start() }
            server = started
            return started
        }
        do {
            let server = try await task.value
            runningServer.withLock { $0 = server }
            _ = Self.exitHook
            return server
        } catch {
            sharedServer.withLock { server in
                if server == task { server = nil }
            }
            throw error
        }
    }

    /// Stops the shared cluster when the test process exits.
    private static let exitHook: Void = {
        atexit {
            PostgresServer.runningServer.withLock { $0 }?.stopNow()
        }
    }()

    // MARK: - A private cluster

    /// Creates a cluster and starts it; returns once it accepts connections.
    ///
    /// - Throws: ``Failure`` when PostgreSQL is missing or does not come up (its log attached).
    /// - Parameter crashSafe: Commit only once the WAL is written (`synchronous_commit=on`), so a
    ///   `kill -9` loses no acknowledged transaction; otherwise the last ones may be lost.
    public static func start(crashSafe: Bool = false) async throws -> PostgresServer {
        guard FileManager.default.isExecutableFile(atPath: "\(binaries)/postgres") else {
            throw Failure(message: "PostgreSQL 15 is not installed (\(binaries)); apt-get install -y postgresql-15")
        }
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("ferry-pg-\(UUID().uuidString)", isDirectory: true).path
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        do {
            try handToPostgresUser(directory)
            try await runToEnd(
                "initdb",
                [
                    "-D", "\(directory)/data", "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C",
                    "--no-sync", "--no-instructions",
                ],
                in: directory
            )
            var lastLog = ""
            for _ in 0..<3 {
                let port = try await LoopbackPort.free()
                let (process, log) = try launch(port: port, directory: directory, crashSafe: crashSafe)
                let server = PostgresServer(port: port, directory: directory, crashSafe: crashSafe, process: process)
                if try await server.waitUntilReady(logPath: log) { return server }
                lastLog = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                await TestProcesses.stop(process, with: SIGINT, within: .seconds(10))
            }
            throw Failure(message: "postgres did not start:\n\(lastLog)")
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    /// `kill -9` of the postmaster: the database vanishes without a word, as in a crash.
    public func kill9() {
        TestProcesses.reapKilled(process)
    }

    /// Starts the server again on its port and data after ``kill9()`` (crash recovery runs), and
    /// waits until it accepts connections. The killed server's sessions may hold its shared
    /// memory for a moment, so the start is tried again for up to a minute.
    public func restart() async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        var lastLog = ""
        while ContinuousClock.now < deadline {
            let (process, log) = try Self.launch(port: port, directory: directory, crashSafe: crashSafe)
            lock.withLock { running = process }
            if try await waitUntilReady(logPath: log) { return }
            lastLog = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            await TestProcesses.stop(process, with: SIGINT, within: .seconds(10))
            try await Task.sleep(for: .milliseconds(500))
        }
        throw Failure(message: "postgres did not start again:\n\(lastLog)")
    }

    /// Stops the server (a fast shutdown: sessions are ended, nothing is kept) and removes its
    /// directory.
    public func stop() async {
        await TestProcesses.stop(process, with: SIGINT, within: .seconds(20))
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// ``stop()`` without awaiting, for the exit hook.
    private func stopNow() {
        if process.isRunning { kill(process.processIdentifier, SIGINT) }
        let deadline = Date().addingTimeInterval(20)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        TestProcesses.reapKilled(process)
        try? FileManager.default.removeItem(atPath: directory)
    }

    // MARK: - Databases

    /// Creates an empty database with a fresh name.
    ///
    /// - Returns: Its URL, `postgres://postgres@127.0.0.1:PORT/t_…?sslmode=disable`.
    public func createDatabase() async throws -> String {
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try await psql("CREATE DATABASE \(name)")
        return "postgres://postgres@127.0.0.1:\(port)/\(name)?sslmode=disable"
    }

    /// Runs SQL as the `postgres` superuser in database `postgres` (or `database`) through `psql`.
    public func psql(_ sql: String, database: String = "postgres") async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "\(Self.binaries)/psql")
        process.arguments = [
            "-h", "127.0.0.1", "-p", "\(port)", "-U", "postgres", "-d", database, "-X", "-q",
            "-v", "ON_ERROR_STOP=1", "-c", sql,
        ]
        let output = TestProcesses.pipe()
        process.standardOutput = output
        process.standardError = output
        try TestProcesses.run(process)
        let (status, text) = try await TestProcesses.finish(process, reading: output, within: .seconds(120))
        guard status == 0 else { throw Failure(message: "psql failed (\(status.map(String.init) ?? "killed")): \(text)") }
    }

    // MARK: - Helpers

    /// Waits until the log says the server accepts connections and its port answers, or it exits.
    private func waitUntilReady(logPath: String) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline, process.isRunning {
            let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            // The port answering is ours only once our server says it is ready (it exits when it
            // cannot bind).
            if log.contains("database system is ready to accept connections") {
                return try await LoopbackPort.waitForListener(port: port, timeout: .seconds(10)) { self.process.isRunning }
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    /// Starts `postgres` on `port` over the cluster in `directory`, logging to a new file.
    ///
    /// - Returns: The process and its log's path.
    private static func launch(port: Int, directory: String, crashSafe: Bool) throws -> (Process, String) {
        let logPath = "\(directory)/postgres-\(port)-\(UUID().uuidString.prefix(8)).log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        let process = command(
            "postgres",
            [
                "-D", "\(directory)/data", "-p", "\(port)", "-k", directory,
                // fsync stays off: a killed server's writes are in the kernel's cache all the same.
                "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=\(crashSafe ? "on" : "off")",
                "-c", "full_page_writes=off", "-c", "max_connections=400", "-c", "shared_buffers=32MB",
            ],
            in: directory
        )
        process.standardOutput = log
        process.standardError = log
        try TestProcesses.run(process)
        try? log.close()
        return (process, logPath)
    }

    /// A PostgreSQL binary, as the `postgres` user when the tests run as root.
    private static func command(_ binary: String, _ arguments: [String], in directory: String) -> Process {
        let process = Process()
        if geteuid() == 0 {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            process.arguments = [
                "--reuid=postgres", "--regid=postgres", "--init-groups", "--", "\(binaries)/\(binary)",
            ] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "\(binaries)/\(binary)")
            process.arguments = arguments
        }
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        return process
    }

    /// Runs a binary to its end.
    private static func runToEnd(_ binary: String, _ arguments: [String], in directory: String) async throws {
        let process = command(binary, arguments, in: directory)
        let output = TestProcesses.pipe()
        process.standardOutput = output
        process.standardError = output
        try TestProcesses.run(process)
        let (status, text) = try await TestProcesses.finish(process, reading: output, within: .seconds(180))
        guard status == 0 else { throw Failure(message: "\(binary) failed: \(text)") }
    }

    /// Gives the directory to the `postgres` user when the tests run as root.
    private static func handToPostgresUser(_ directory: String) throws {
        guard geteuid() == 0 else { return }
        guard let user = getpwnam("postgres") else {
            throw Failure(message: "Running as root, but there is no postgres user to run PostgreSQL as.")
        }
        guard chown(directory, user.pointee.pw_uid, user.pointee.pw_gid) == 0 else {
            throw Failure(message: "chown \(directory) failed: errno \(errno)")
        }
    }

    /// Why a server could not be started or used.
    public struct Failure: Error, CustomStringConvertible {
        /// What happened.
        public var message: String
        /// The message.
        public var description: String { message }
    }
}
