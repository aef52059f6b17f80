import FerryProto
import FerryRPC
import FerryTestSupport
import Foundation
import Testing

/// Issue 4 end to end: real `ferryd` and `ferry-worker` processes over mTLS on 127.0.0.1, with
/// short heartbeat intervals, syncing local files.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct WorkerEndToEndTests {
    // MARK: A full sync, then a no-op re-sync

    @Test func tenThousandFilesSyncAndResyncCreatesNothing() async throws {
        let world = try await World(staleAfterSeconds: 10, batchSize: 500)
        defer { world.cleanUp() }
        let storage = try await world.storage(files: 10_000)
        try world.worker.start()

        let first = try await world.sync(storage, until: [.completed])
        #expect(first.sync?.lastSyncCount == 10_000)
        #expect(first.sync?.meta?.tasksExisted == 0)
        #expect(first.sync?.meta?.objectsScanned == 10_000)

        let second = try await world.sync(storage, until: [.completed])
        #expect(second.sync?.lastSyncCount == 0)
        #expect(second.sync?.meta?.tasksExisted == 10_000)
        try await world.expectTasks(10_000)
    }

    // MARK: kill -9 of the worker

    @Test func killedWorkerTimesOutAfterStaleAfterThenANewSyncCompletesWithoutDuplicates() async throws {
        let stale = 3.0
        let world = try await World(staleAfterSeconds: stale, batchSize: 10)
        defer { world.cleanUp() }
        let storage = try await world.storage(files: 3_000)
        try world.worker.start()
        let job = try await world.admin { try await $0.startSync(storage) }.jobID

        try await world.waitForProgress(storage)
        world.worker.kill9()
        let killedAt = ContinuousClock.now
        // Not before stale_after: the last ping came at most one ping interval before the kill.
        while ContinuousClock.now - killedAt < .seconds(stale - 0.5) {
            let early = try await world.admin { try await $0.listed(storage) }
            guard ContinuousClock.now - killedAt < .seconds(stale - 0.5) else { break }
            #expect(early.sync?.status == .inProgress, "failed before stale_after had passed")
            try await Task.sleep(for: .milliseconds(200))
        }

        let failed = try await world.waitForStatus(storage, in: [.failed], timeout: .seconds(30))
        #expect(ContinuousClock.now - killedAt >= .seconds(stale - 0.5))
        #expect(failed.sync?.meta?.terminationReason == .heartbeatTimeout)
        let traceback = failed.sync?.traceback ?? ""
        #expect(traceback.contains("worker-1"), "\(traceback)")
        #expect(traceback.contains(job), "\(traceback)")

        try world.worker.start()
        let resumed = try await world.sync(storage, until: [.completed])
        let created = try #require(resumed.sync?.lastSyncCount)
        let existed = try #require(resumed.sync?.meta?.tasksExisted)
        #expect(created + existed == 3_000)
        #expect(existed > 0, "the first sync had made progress before the kill")
        try await world.expectTasks(3_000)
    }

    @Test func redeployUnderTheSameWorkerIDFailsTheOldJobAtOnce() async throws {
        let world = try await World(staleAfterSeconds: 120, batchSize: 10)
        defer { world.cleanUp() }
        let storage = try await world.storage(files: 3_000)
        try world.worker.start()
        _ = try await world.admin { try await $0.startSync(storage) }
        try await world.waitForProgress(storage)

        world.worker.kill9()
        let restartedAt = ContinuousClock.now
        try world.worker.start()
        let failed = try await world.waitForStatus(storage, in: [.failed], timeout: .seconds(30))
        #expect(ContinuousClock.now - restartedAt < .seconds(60), "waited for stale_after")
        #expect(failed.sync?.meta?.terminationReason == .jobFailed)
    }

    @Test func sigtermEndsTheRunningJobAsWorkerShuttingDown() async throws {
        // One slot, busy: the acquire loop is waiting for it when the signal comes.
        let world = try await World(staleAfterSeconds: 120, batchSize: 5, maxJobs: 1)
        defer { world.cleanUp() }
        let storage = try await world.storage(files: 5_000)
        try world.worker.start()
        _ = try await world.admin { try await $0.startSync(storage) }
        try await world.waitForProgress(storage)

        let stoppedAt = ContinuousClock.now
        #expect(world.worker.terminate() == 0)
        #expect(ContinuousClock.now - stoppedAt < .seconds(5 + 2), "longer than the grace period")
        let failed = try await world.waitForStatus(storage, in: [.failed], timeout: .seconds(10))
        #expect(failed.sync?.traceback.contains("Worker shutting down") == true, "\(failed.sync?.traceback ?? "")")
    }

    // MARK: Jobs removed or cancelled

    @Test func deletingAQueuedJobFailsItWithJobMissing() async throws {
        let world = try await World(staleAfterSeconds: 10, batchSize: 100)
        defer { world.cleanUp() }
        let storage = try await world.storage(files: 5)
        let job = try await world.admin { try await $0.startSync(storage) }.jobID
        try world.ferryctl(["jobs", "delete", job])
        let failed = try await world.waitForStatus(storage, in: [.failed], timeout: .seconds(10))
        #expect(failed.sync?.meta?.terminationReason == .jobMissing)
    }

    @Test func cancelMidSyncStopsTheWorkerAndNothingIsAddedAfter() async throws {
        let world = try await World(staleAfterSeconds: 10, batchSize: 5)
        defer { world.cleanUp() }
        let storage = try await world.storage(files: 5_000)
        try world.worker.start()
        _ = try await world.admin { try await $0.startSync(storage) }
        try await world.waitForProgress(storage)

        try world.ferryctl(["cancel", "\(storage)"])
        let failed = try await world.waitForStatus(storage, in: [.failed], timeout: .seconds(20))
        #expect(failed.sync?.meta?.terminationReason == .cancelled)
        let atVerdict = try await world.taskCount()
        #expect(atVerdict < 5_000, "the sync finished before the cancel")
        try await Task.sleep(for: .seconds(1))
        #expect(try await world.taskCount() == atVerdict)
        #expect(world.worker.log.contains("JOB_RESULT_CANCELLED"))
    }

    // MARK: ferryd restart

    @Test func ferrydRestartMidSyncAndTheWorkerCarriesOn() async throws {
        let world = try await World(staleAfterSeconds: 30, batchSize: 10)
        defer { world.cleanUp() }
        let storage = try await world.runningSync(files: 3_000)

        world.daemon.kill9()
        try await world.daemon.start(samePort: true)
        try await world.expectCompletes(storage, files: 3_000)
    }

    @Test func sigtermRestartOfFerrydShorterThanStaleAfterCompletesTheSync() async throws {
        // Grace period = stale_after: ferryd must not hold its shutdown for the worker's streams.
        let world = try await World(staleAfterSeconds: 10, batchSize: 10, gracePeriodSeconds: 10)
        defer { world.cleanUp() }
        let storage = try await world.runningSync(files: 3_000)

        let stoppedAt = ContinuousClock.now
        try world.daemon.stop()
        #expect(ContinuousClock.now - stoppedAt < .seconds(5), "ferryd held the worker's calls for the grace period")
        // Down for 2 s in all, then back on the same port.
        try await Task.sleep(until: stoppedAt + .seconds(2))
        try await world.daemon.start(samePort: true)
        try await world.expectCompletes(storage, files: 3_000)
        // The job ran across the restart: its heartbeat stream was ended and reconnected.
        #expect(world.worker.log.contains("Heartbeat stream lost; reconnecting"), "\(world.worker.log)")
    }

    // MARK: File shapes, filter and blob URLs

    @Test func jsonLinesAndListsKeepTheirRowsAndTheFilterChoosesFiles() async throws {
        let world = try await World(staleAfterSeconds: 10, batchSize: 100)
        defer { world.cleanUp() }
        let storage = try await world.storage(files: 0, regexFilter: #".*\.jsonl?"#) { directory in
            let lines = (0..<1_200).map { #"{"line":\#($0)}"# }.joined(separator: "\n")
            try lines.write(toFile: directory + "/rows.jsonl", atomically: true, encoding: .utf8)
            try #"[{"a":0},{"a":1},{"a":2}]"#.write(toFile: directory + "/list.json", atomically: true, encoding: .utf8)
            try "not json, and filtered out".write(toFile: directory + "/notes.txt", atomically: true, encoding: .utf8)
        }
        try world.worker.start()
        let done = try await world.sync(storage, until: [.completed])
        #expect(done.sync?.lastSyncCount == 1_203)
        #expect(done.sync?.meta?.objectsScanned == 2)
        let tasks = try await world.admin { try await $0.listTasks(projectID: World.projectID) }
        let rows = tasks.compactMap { $0.sources.first }.filter { $0.key == "rows.jsonl" }.map(\.rowIndex)
        #expect(Set(rows) == Set(0..<1_200))
        let again = try await world.sync(storage, until: [.completed])
        #expect(again.sync?.lastSyncCount == 0)
        #expect(again.sync?.meta?.tasksExisted == 2)
    }

    @Test func blobURLsMakeOneTaskPerFileWithoutReadingIt() async throws {
        let world = try await World(staleAfterSeconds: 10, batchSize: 100)
        defer { world.cleanUp() }
        let storage = try await world.storage(files: 0, useBlobURLs: true) { directory in
            try Data([0xFF, 0xD8, 0xFF]).write(to: URL(fileURLWithPath: directory + "/photo one.jpg"))
        }
        try world.worker.start()
        let done = try await world.sync(storage, until: [.completed])
        #expect(done.sync?.lastSyncCount == 1)
        let task = try #require(try await world.admin { try await $0.listTasks(projectID: World.projectID) }.first)
        #expect(task.dataJSON.hasPrefix(#"{"url":"file://"#), "\(task.dataJSON)")
        #expect(task.dataJSON.hasSuffix(#"/data/photo%20one.jpg"}"#), "\(task.dataJSON)")
    }

    // MARK: Bad files

    @Test func brokenJSONFailsTheSyncNamingTheFile() async throws {
        let world = try await World(staleAfterSeconds: 10, batchSize: 100)
        defer { world.cleanUp() }
        let storage = try await world.storage(files: 20) { directory in
            try "{\n  \"text\": \"fine\",\n  \"oops\": \n}\n".write(
                toFile: directory + "/nested/broken.json", atomically: true, encoding: .utf8)
        }
        try world.worker.start()
        let failed = try await world.sync(storage, until: [.failed])
        let traceback = failed.sync?.traceback ?? ""
        #expect(traceback.contains("nested/broken.json"), "\(traceback)")
        #expect(traceback.contains("line 4"), "\(traceback)")
    }

    @Test func aTaskFailingValidationCompletesWithErrors() async throws {
        let world = try await World(staleAfterSeconds: 10, batchSize: 100)
        defer { world.cleanUp() }
        let storage = try await world.storage(files: 10) { directory in
            try #"[{"text":"ok"}, 42, {"text":"also ok"}]"#.write(
                toFile: directory + "/mixed.json", atomically: true, encoding: .utf8)
        }
        try world.worker.start()
        let done = try await world.sync(storage, until: [.completedWithErrors])
        #expect(done.sync?.lastSyncCount == 12)
        #expect(done.sync?.meta?.tasksFailedValidation == 1)
        #expect(done.sync?.traceback.contains("mixed.json (row 1): Task data is not a JSON object") == true, "\(done.sync?.traceback ?? "")")
    }
}

/// One test's processes and data: a `ferryd`, a worker, an admin client and a files tree.
private struct World {
    static let projectID: Int64 = 42
    let daemon: FerrydProcess
    let worker: WorkerChild

    init(staleAfterSeconds: Double, batchSize: Int, maxJobs: Int = 2, gracePeriodSeconds: Double = 10) async throws {
        daemon = try FerrydProcess(staleAfterSeconds: staleAfterSeconds, gracePeriodSeconds: gracePeriodSeconds)
        worker = WorkerChild(daemon: daemon, batchSize: batchSize, maxJobs: maxJobs)
        try await daemon.start()
    }

    func cleanUp() {
        worker.kill9()
        daemon.cleanUp()
    }

    /// Writes `files` JSON task files (spread over subdirectories) and creates a recursive local
    /// import storage over them; `extra` may add more files.
    func storage(
        files: Int, regexFilter: String = "", useBlobURLs: Bool = false, extra: (String) throws -> Void = { _ in }
    ) async throws -> Int64 {
        let directory = daemon.localFilesRoot + "/data"
        for index in 0..<files {
            let folder = directory + "/nested/d\(index % 20)"
            if index < 20 { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
            try Data(#"{"text":"task \#(index)"}"#.utf8).write(to: URL(fileURLWithPath: folder + "/t\(index).json"))
        }
        try FileManager.default.createDirectory(atPath: directory + "/nested", withIntermediateDirectories: true)
        try extra(directory)
        let request = FerryV1.CreateStorageRequest(
            spec: FerryV1.StorageSpec(
                projectID: Self.projectID, title: "e2e", kind: .import, provider: .local, regexFilter: regexFilter,
                recursiveScan: true, useBlobURLs: useBlobURLs, synchronizable: true,
                local: FerryV1.LocalLocation(path: "data")))
        return try await admin { try #require(try await $0.createStorage(request).storage).id }
    }

    func admin<Result: Sendable>(_ body: (FerryClient) async throws -> Result) async throws -> Result {
        try await daemon.withClient(.admin, body)
    }

    /// StartSync, then waits for one of `statuses`.
    func sync(_ storage: Int64, until statuses: Set<FerryV1.SyncStatus>) async throws -> FerryV1.Storage {
        _ = try await admin { try await $0.startSync(storage) }
        return try await waitForStatus(storage, in: statuses, timeout: .seconds(120))
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

    /// Waits until the running sync has created some tasks.
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

    /// Runs the real `ferryctl` with admin credentials; fails the test on a non-zero exit.
    func ferryctl(_ arguments: [String]) throws {
        let pki = TestPKI.shared
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try FerrydProcess.executable("ferryctl"))
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging([
            "FERRYCTL_SERVER": "127.0.0.1:\(daemon.port)",
            "FERRYCTL_SERVER_NAME": "localhost",
            "FERRYCTL_CA": pki.caPath,
            "FERRYCTL_TOKEN": FerryTestServer.adminToken,
        ]) { $1 }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "ferryctl \(arguments): \(text)")
    }
}
