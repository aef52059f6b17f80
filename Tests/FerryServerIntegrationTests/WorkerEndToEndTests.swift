import FerryProto
import FerryRPC
import FerryTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

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
        try await world.expectKillNineMidSyncTimesOutThenResyncCompletes(storage, objects: 3_000, staleAfter: stale)
    }

    /// A worker stopped (SIGSTOP) for longer than stale_after, with nobody listing meanwhile, is
    /// fenced by its own next heartbeat when it goes on (SIGCONT): the job fails as
    /// HEARTBEAT_TIMEOUT and not one more task is added.
    @Test func workerStoppedPastStaleAfterIsFencedWhenItGoesOnWithoutAListCall() async throws {
        let stale = 2.0
        let world = try await World(staleAfterSeconds: stale, batchSize: 5)
        defer { world.cleanUp() }
        let storage = try await world.runningSync(files: 3_000)

        world.worker.send(SIGSTOP)
        defer { world.worker.send(SIGCONT) }
        try await Task.sleep(for: .seconds(stale + 1))
        let atStop = try await world.taskCount()
        world.worker.send(SIGCONT)

        let fenced = try await waitUntil(timeout: .seconds(30), every: .milliseconds(50)) {
            world.worker.log.contains("Lease no longer current")
        }
        #expect(fenced, "the worker went on under its lease; log:\n\(world.worker.log)")
        let failed = try await world.admin { try await $0.listed(storage) }
        #expect(failed.sync?.status == .failed)
        #expect(failed.sync?.meta?.terminationReason == .heartbeatTimeout)
        #expect(try await world.taskCount() == atStop, "tasks were added after the silence")
        #expect(failed.sync?.lastSyncCount == Int64(atStop))
    }

    @Test func aWorkerWhoseIDIsNotItsCertificatesExitsSayingWhy() async throws {
        let world = try await World(staleAfterSeconds: 10, batchSize: 10)
        defer { world.cleanUp() }
        let impostor = WorkerChild(daemon: world.daemon, name: "impostor", workerID: "worker-9")
        defer { impostor.kill9() }
        try impostor.start()
        let status = try await impostor.waitForExit(timeout: .seconds(30))
        #expect(status != nil && status != 0, "it kept retrying: \(impostor.log)")
        #expect(impostor.log.contains("worker_id must be the certificate's name"), "\(impostor.log)")
    }

    @Test func redeployUnderTheSameWorkerIDFailsTheOldJobAtOnce() async throws {
        let world = try await World(staleAfterSeconds: 120, batchSize: 10)
        defer { world.cleanUp() }
        let storage = try await world.runningSync(files: 3_000)

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
        let storage = try await world.runningSync(files: 5_000)

        let stoppedAt = ContinuousClock.now
        #expect(await world.worker.terminate() == 0)
        #expect(ContinuousClock.now - stoppedAt < .seconds(5 + 2), "longer than the grace period")
        let failed = try await world.waitForStatus(storage, in: [.failed], timeout: .seconds(10))
        #expect(failed.sync?.traceback.contains("Worker shutting down") == true, "\(failed.sync?.traceback ?? "")")
        #expect(failed.sync?.lastSyncCount == Int64(try await world.taskCount()), "count after SIGTERM")
    }

    @Test func aSecondLiveProcessUnderTheSameWorkerIDIsRefusedAndTheFirstCompletes() async throws {
        let world = try await World(staleAfterSeconds: 10, batchSize: 10)
        defer { world.cleanUp() }
        let storage = try await world.runningSync(files: 2_000)

        let copy = WorkerChild(daemon: world.daemon, batchSize: 10, name: "copy")
        defer { copy.kill9() }
        try copy.start()
        let status = try await copy.waitForExit(timeout: .seconds(30))
        #expect(status != nil && status != 0, "the copy did not exit non-zero: \(String(describing: status))")
        #expect(copy.log.contains("in use by another running process"), "\(copy.log)")

        let done = try await world.waitForStatus(storage, in: [.completed, .failed], timeout: .seconds(120))
        #expect(done.sync?.status == .completed, "\(done.sync?.traceback ?? "")")
        try await world.expectTasks(2_000)
    }

    // MARK: Jobs removed or cancelled

    @Test func deletingAQueuedJobFailsItWithJobMissing() async throws {
        let world = try await World(staleAfterSeconds: 10, batchSize: 100)
        defer { world.cleanUp() }
        let storage = try await world.storage(files: 5)
        let job = try await world.admin { try await $0.startSync(storage) }.jobID
        try await world.ferryctl(["jobs", "delete", job])
        let failed = try await world.waitForStatus(storage, in: [.failed], timeout: .seconds(10))
        #expect(failed.sync?.meta?.terminationReason == .jobMissing)
    }

    @Test func cancelMidSyncStopsTheWorkerAndNothingIsAddedAfter() async throws {
        let world = try await World(staleAfterSeconds: 10, batchSize: 5)
        defer { world.cleanUp() }
        let storage = try await world.runningSync(files: 5_000)

        try await world.ferryctl(["cancel", "\(storage)"])
        let failed = try await world.waitForStatus(storage, in: [.failed], timeout: .seconds(20))
        #expect(failed.sync?.meta?.terminationReason == .cancelled)
        let atVerdict = try await world.taskCount()
        #expect(atVerdict < 5_000, "the sync finished before the cancel")
        try await Task.sleep(for: .seconds(1))
        #expect(try await world.taskCount() == atVerdict)
        #expect(failed.sync?.lastSyncCount == Int64(atVerdict), "count of the cancelled sync")
        #expect(world.worker.log.contains("JOB_RESULT_CANCELLED"))
    }

    /// `sync --watch` into a pipe shows each progress line while the sync runs, not at its end.
    @Test func syncWatchIntoAPipeWritesEachLineAsItHappens() async throws {
        let world = try await World(staleAfterSeconds: 10, batchSize: 5)
        defer { world.cleanUp() }
        let storage = try await world.storage(files: 3_000)
        try world.worker.start()
        let (process, output) = try world.startFerryctl(["sync", "\(storage)", "--watch"])
        defer { if process.isRunning { process.terminate() } }
        var seen = ""
        while process.isRunning, !seen.contains(": in_progress") {
            let chunk = output.fileHandleForReading.availableData  // Blocks until ferryctl writes.
            if chunk.isEmpty { break }
            seen += String(decoding: chunk, as: UTF8.self)
        }
        #expect(seen.contains("storage \(storage): in_progress"), "\(seen)")
        #expect(process.isRunning, "the progress line came only when ferryctl ended")
        _ = try await world.waitForStatus(storage, in: [.completed], timeout: .seconds(120))
        #expect(await TestProcesses.exitStatus(of: process, within: .seconds(60)) == 0)
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
        await world.daemon.stop()
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
