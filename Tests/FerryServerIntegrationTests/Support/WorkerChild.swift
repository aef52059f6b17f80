import FerryTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A real `ferry-worker` child process connected to a ``FerrydProcess`` over mTLS, with short
/// timings for tests. Each start is a new process instance under the same worker id
/// (`worker-1`, from the test worker certificate), which is what a redeploy looks like.
final class WorkerChild: @unchecked Sendable {
    private let daemon: FerrydProcess
    /// More `ferryd` processes sharing the daemon's state: the worker is given all their addresses.
    private let replicas: [FerrydProcess]
    private let batchSize: Int
    private let maxJobs: Int
    private let name: String
    private let workerID: String
    /// Whether the process runs on one CPU (`taskset`, Linux only) and at a lower priority
    /// (`nice`): Swift's global executor then has one thread, and a test that makes syncs
    /// CPU-bound burns one core, not all of them, and yields it to the tests running beside it.
    let pinnedToOneCPU: Bool
    private let lock = NSLock()
    private let kinds: String
    private let acquireWaitSeconds: Double
    private let extraArguments: [String]
    private var process: Process?
    private var starts = 0
    private(set) var logPath = ""

    /// - Parameter name: Names the log files (`<name>-<n>.log`), so two children never share one.
    /// - Parameter workerID: The `--worker-id` it is started with (the certificate's is `worker-1`).
    /// - Parameter kinds: The `--worker-kinds` it claims.
    /// - Parameter replicas: Replicas of `daemon` whose addresses the worker also gets.
    /// - Parameter acquireWaitSeconds: How long each AcquireJob long-poll may wait.
    /// - Parameter extraArguments: More flags, after the others.
    init(
        daemon: FerrydProcess, replicas: [FerrydProcess] = [], batchSize: Int = 100, maxJobs: Int = 2, onOneCPU: Bool = false,
        name: String = "worker", workerID: String = "worker-1", kinds: String = "import,export,dataset",
        acquireWaitSeconds: Double = 1, extraArguments: [String] = []
    ) {
        self.extraArguments = extraArguments
        self.kinds = kinds
        self.acquireWaitSeconds = acquireWaitSeconds
        self.daemon = daemon
        self.replicas = replicas
        self.batchSize = batchSize
        self.maxJobs = maxJobs
        self.pinnedToOneCPU = onOneCPU && Self.canPinToOneCPU
        self.name = name
        self.workerID = workerID
    }

    private static let taskset = "/usr/bin/taskset"
    private static let nice = "/usr/bin/nice"

    /// Whether a worker can be run on one CPU here.
    static var canPinToOneCPU: Bool {
        FileManager.default.isExecutableFile(atPath: taskset) && FileManager.default.isExecutableFile(atPath: nice)
    }

    /// Starts a new worker process against the daemon's current port.
    func start() throws {
        let pki = TestPKI.shared
        let process = Process()
        let worker = try FerrydProcess.executable("ferry-worker")
        process.executableURL = URL(fileURLWithPath: pinnedToOneCPU ? Self.taskset : worker)
        process.arguments = (pinnedToOneCPU ? ["--cpu-list", "0", Self.nice, "-n", "10", worker] : []) + [
            "--server", ([daemon] + replicas).map { "127.0.0.1:\($0.port)" }.joined(separator: ","),
            "--tls-server-name", "localhost",
            "--tls-ca", pki.caPath,
            "--tls-cert", pki.workerCertificate,
            "--tls-key", pki.workerKey,
            "--worker-id", workerID,
            "--storage-local-files-root", daemon.localFilesRoot,
            "--import-batch-size", "\(batchSize)",
            "--worker-max-jobs", "\(maxJobs)",
            "--worker-kinds", kinds,
            "--worker-acquire-wait-seconds", "\(acquireWaitSeconds)",
            "--backoff-initial-seconds", "0.1",
            "--backoff-maximum-seconds", "0.5",
            "--shutdown-grace-period-seconds", "5",
            "--log-level", "debug",
        ] + extraArguments
        let path = lock.withLock { () -> String in
            starts += 1
            return daemon.directory + "/\(name)-\(starts).log"
        }
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        process.standardOutput = log
        process.standardError = log
        try TestProcesses.run(process)
        try? log.close()
        lock.withLock {
            self.process = process
            self.logPath = path
        }
    }

    /// The current process's log so far.
    var log: String { (try? String(contentsOfFile: lock.withLock { logPath }, encoding: .utf8)) ?? "" }

    /// Whether the current process is alive.
    var isRunning: Bool { lock.withLock { process?.isRunning ?? false } }

    /// Waits for the current process to exit on its own; its exit status, or `nil` after `timeout`.
    func waitForExit(timeout: Duration) async throws -> Int32? {
        guard let process = lock.withLock({ self.process }) else { return nil }
        let exited = try await waitUntil(timeout: timeout, every: .milliseconds(50)) { !process.isRunning }
        return exited ? process.terminationStatus : nil
    }

    /// Sends `signal` (SIGSTOP, SIGCONT, …) to the current process.
    func send(_ signal: Int32) {
        guard let process = lock.withLock({ self.process }), process.isRunning else { return }
        kill(process.processIdentifier, signal)
    }

    /// `kill -9`, then reaps the process.
    func kill9() {
        guard let process = lock.withLock({ self.process }) else { return }
        TestProcesses.reapKilled(process)
        lock.withLock { self.process = nil }
    }

    /// SIGTERM, then waits for the exit; returns the exit status (`nil` when it was still running
    /// two minutes later and had to be killed).
    @discardableResult
    func terminate() async -> Int32? {
        guard let process = lock.withLock({ self.process }) else { return 0 }
        let status = await TestProcesses.stop(process, with: SIGTERM, within: .seconds(120))
        lock.withLock { self.process = nil }
        return status
    }
}
