import FerryProto
import FerryRPC
import FerryTestSupport
import Foundation
import Testing

/// One test's processes and data: a `ferryd` (and any replicas sharing its state), a worker
/// given all their addresses, an admin client and a files tree.
struct World {
    static let projectID: Int64 = 42
    let daemon: FerrydProcess
    let replicas: [FerrydProcess]
    let worker: WorkerChild

    init(
        staleAfterSeconds: Double, pingIntervalSeconds: Double = 0.1, batchSize: Int, maxJobs: Int = 2, workerOnOneCPU: Bool = false,
        gracePeriodSeconds: Double = 10, workerKinds: String = "import,export,dataset", replicas: Int = 0,
        serverArguments: [String] = [], databaseURL: String? = nil, workerAcquireWaitSeconds: Double = 1,
        workerArguments: [String] = []
    ) async throws {
        daemon = try FerrydProcess(
            staleAfterSeconds: staleAfterSeconds, pingIntervalSeconds: pingIntervalSeconds,
            gracePeriodSeconds: gracePeriodSeconds, extraArguments: serverArguments,
            databaseURL: databaseURL)
        self.replicas = (0..<replicas).map { [daemon] in FerrydProcess(replicaOf: daemon, name: "ferryd-replica\($0 + 1)") }
        worker = WorkerChild(
            daemon: daemon, replicas: self.replicas, batchSize: batchSize, maxJobs: maxJobs, onOneCPU: workerOnOneCPU,
            kinds: workerKinds, acquireWaitSeconds: workerAcquireWaitSeconds, extraArguments: workerArguments)
        try await daemon.start()
        for replica in self.replicas { try await replica.start() }
    }

    func cleanUp() {
        worker.kill9()
        replicas.forEach { $0.kill9() }
        daemon.cleanUp()
    }

    /// Writes `files` JSON task files (spread over subdirectories) and creates a recursive local
    /// storage of `kind` (import unless told) over them, in `path` under the local-files root;
    /// `extra` may add more files.
    ///
    /// The files are written on the tests' own blocking pool (``TestBlockingWork``): thousands of
    /// blocking writes on the global executor or NIO's shared pool would hold one of their few
    /// threads for seconds, starving the in-process servers of tests running beside this one.
    func storage(
        files: Int, path: String = "data", kind: FerryV1.StorageKind = .import, regexFilter: String = "",
        useBlobURLs: Bool = false, extra: @escaping @Sendable (String) throws -> Void = { _ in }
    ) async throws -> Int64 {
        let directory = daemon.localFilesRoot + "/" + path
        try await TestBlockingWork.run {
            for index in 0..<files {
                let folder = directory + "/nested/d\(index % 20)"
                if index < 20 { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
                try Data(#"{"text":"task \#(index)"}"#.utf8).write(to: URL(fileURLWithPath: folder + "/t\(index).json"))
            }
            try FileManager.default.createDirectory(atPath: directory + "/nested", withIntermediateDirectories: true)
            try extra(directory)
        }
        let request = FerryV1.CreateStorageRequest(
            spec: FerryV1.StorageSpec(
                projectID: Self.projectID, title: "e2e", kind: kind, provider: .local, regexFilter: regexFilter,
                recursiveScan: true, useBlobURLs: useBlobURLs, synchronizable: true,
                local: FerryV1.LocalLocation(path: path)))
        return try await admin { try #require(try await $0.createStorage(request).storage).id }
    }

    /// Runs `body` with an admin client of the daemon, or of a replica while the daemon is down.
    func admin<Result: Sendable>(_ body: (FerryClient) async throws -> Result) async throws -> Result {
        let server = ([daemon] + replicas).first(where: \.isRunning) ?? daemon
        return try await server.withClient(.admin, body)
    }

    /// StartSync, then waits for one of `statuses`.
    func sync(
        _ storage: Int64, until statuses: Set<FerryV1.SyncStatus>, timeout: Duration = .seconds(120)
    ) async throws -> FerryV1.Storage {
        _ = try await admin { try await $0.startSync(storage) }
        return try await waitForStatus(storage, in: statuses, timeout: timeout)
    }

    /// Polls ListStorages (which applies termination detection) until the status is one of `statuses`.
    func waitForStatus(_ storage: Int64, in statuses: Set<FerryV1.SyncStatus>, timeout: Duration) async throws
        -> FerryV1.Storage
    {
        let deadline = ContinuousClock.now + timeout
        var last: FerryV1.Storage?
        while ContinuousClock.now < deadline {
            if let listed = try? await admin({ try await $0.listed(storage) }) {
                last = listed
                if statuses.contains(listed.sync?.status ?? .unspecified) { return listed }
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        do {
            Issue.record("status \(String(describing: last?.sync?.status)) not in \(statuses); worker log:\n\(worker.log)")
            throw CancellationError()
        }
    }

    /// Waits until the running sync has created some tasks.
    /// `files` task files and a storage over them, the worker started and a sync of it under way.
    func runningSync(files: Int) async throws -> Int64 {
        let storage = try await storage(files: files)
        try worker.start()
        _ = try await admin { try await $0.startSync(storage) }
        try await waitForProgress(storage)
        return storage
    }

    /// The running sync ends completed with one task per file, and the worker is still up.
    func expectCompletes(_ storage: Int64, files: Int) async throws {
        let done = try await waitForStatus(storage, in: [.completed, .failed], timeout: .seconds(90))
        #expect(done.sync?.status == .completed, "\(done.sync?.traceback ?? "")")
        #expect(done.sync?.lastSyncCount == Int64(files))
        try await expectTasks(files)
        #expect(worker.isRunning)
    }

    func waitForProgress(_ storage: Int64) async throws {
        let moved = try await waitUntil(timeout: .seconds(60), every: .milliseconds(10)) {
            (try? await taskCount()).map { $0 > 0 } ?? false
        }
        try #require(moved, "no progress; worker log:\n\(worker.log)")
    }

    func taskCount() async throws -> Int {
        try await admin { try await $0.listTasks(projectID: Self.projectID).count }
    }

    /// Exactly `count` tasks, one per (key, row): nothing lost, nothing duplicated.
    func expectTasks(_ count: Int) async throws {
        let tasks = try await admin { try await $0.listTasks(projectID: Self.projectID) }
        #expect(tasks.count == count)
        let links = tasks.flatMap { task in task.sources.map { "\($0.storageID)/\($0.key)#\($0.rowIndex)" } }
        #expect(links.count == count)
        #expect(Set(links).count == links.count, "duplicate links")
    }

    /// Starts the worker and a sync of `storage` (one task per object), kills the worker with
    /// SIGKILL once the sync made progress, and checks the promises of a silent death: the sync
    /// stays in progress until `staleAfter` has passed, then fails as HEARTBEAT_TIMEOUT naming the
    /// worker and the job with the count the store committed; a new worker's re-sync then
    /// completes (within `resyncTimeout`) with exactly `objects` tasks, none twice.
    func expectKillNineMidSyncTimesOutThenResyncCompletes(
        _ storage: Int64, objects: Int, staleAfter stale: Double, resyncTimeout: Duration = .seconds(120)
    ) async throws {
        try worker.start()
        let job = try await admin { try await $0.startSync(storage) }.jobID

        try await waitForProgress(storage)
        worker.kill9()
        let killedAt = ContinuousClock.now
        // Not before stale_after: the last ping came at most one ping interval before the kill.
        while ContinuousClock.now - killedAt < .seconds(stale - 0.5) {
            let early = try await admin { try await $0.listed(storage) }
            guard ContinuousClock.now - killedAt < .seconds(stale - 0.5) else { break }
            #expect(early.sync?.status == .inProgress, "failed before stale_after had passed")
            try await Task.sleep(for: .milliseconds(200))
        }

        let failed = try await waitForStatus(storage, in: [.failed], timeout: .seconds(30))
        #expect(ContinuousClock.now - killedAt >= .seconds(stale - 0.5))
        #expect(failed.sync?.meta?.terminationReason == .heartbeatTimeout)
        let traceback = failed.sync?.traceback ?? ""
        #expect(traceback.contains("worker-1"), "\(traceback)")
        #expect(traceback.contains(job), "\(traceback)")
        #expect(failed.sync?.lastSyncCount == Int64(try await taskCount()), "count of the killed sync")
        #expect((failed.sync?.lastSyncUnixMicros ?? 0) > 0, "last_sync of the killed sync")

        try worker.start()
        let resumed = try await sync(storage, until: [.completed], timeout: resyncTimeout)
        let created = try #require(resumed.sync?.lastSyncCount)
        let existed = try #require(resumed.sync?.meta?.tasksExisted)
        #expect(created + existed == Int64(objects))
        #expect(existed > 0, "the first sync had made progress before the kill")
        try await expectTasks(objects)
    }

    /// Runs the real `ferryctl` with admin credentials; fails the test on a non-zero exit.
    ///
    /// - Returns: What it printed (output and errors).
    @discardableResult
    func ferryctl(_ arguments: [String]) async throws -> String {
        let (status, text) = try await runFerryctl(arguments)
        #expect(status == 0, "ferryctl \(arguments): \(text)")
        return text
    }

    /// Runs the real `ferryctl` with admin credentials to its end (killed after two minutes).
    ///
    /// - Returns: Its exit status (`nil` if it had to be killed) and what it printed.
    func runFerryctl(_ arguments: [String]) async throws -> (status: Int32?, output: String) {
        let (process, output) = try startFerryctl(arguments)
        return try await TestProcesses.finish(process, reading: output, within: .seconds(120))
    }

    /// Starts the real `ferryctl` with admin credentials, its output (and errors) into a pipe.
    func startFerryctl(_ arguments: [String]) throws -> (Process, Pipe) {
        let pki = TestPKI.shared
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try FerrydProcess.executable("ferryctl"))
        process.arguments = arguments
        process.environment = TestProcesses.childEnvironment.merging([
            "FERRYCTL_SERVER": "127.0.0.1:\(daemon.port)",
            "FERRYCTL_SERVER_NAME": "localhost",
            "FERRYCTL_CA": pki.caPath,
            "FERRYCTL_TOKEN": FerryTestServer.adminToken,
        ]) { $1 }
        let output = TestProcesses.pipe()
        process.standardOutput = output
        process.standardError = output
        try TestProcesses.run(process)
        return (process, output)
    }
}
