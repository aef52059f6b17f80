import FerryCore
import FerryProto
import FerryRPC
import Foundation
import Testing

/// Issue 9 end to end, with real `ferryd` and `ferry-worker` processes over mTLS: hostile
/// filters cannot wedge a worker or silence heartbeats, a task larger than the message limit
/// fails alone, and a re-sync after a kill between two batches of one file imports exactly what
/// is missing.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct WorkerFaultTests {
    // MARK: Hostile regex_filter

    @Test func catastrophicFiltersMatchInLinearTimeAndTheWorkerKeepsClaiming() async throws {
        let world = try await World(staleAfterSeconds: 5, batchSize: 100)
        defer { world.cleanUp() }
        // `(a+)+$` on thirty to fifty `a`s and a `!` takes a backtracking engine 2^n steps per key.
        @Sendable func hostile(_ directory: String) throws {
            for length in 30..<50 {
                let name = String(repeating: "a", count: length) + (length % 10 < 3 ? "" : "!")
                try Data(#"{"n":\#(length)}"#.utf8).write(to: URL(fileURLWithPath: directory + "/" + name))
            }
        }
        let first = try await world.storage(files: 0, path: "hostile-1", regexFilter: #"(a+)+$"#, extra: hostile)
        let second = try await world.storage(files: 0, path: "hostile-2", regexFilter: #"(a+)+$"#, extra: hostile)
        let plain = try await world.storage(files: 5, path: "plain")
        try world.worker.start()
        for storage in [first, second] {
            _ = try await world.admin { try await $0.startSync(storage) }
        }
        for storage in [first, second] {
            let done = try await world.waitForStatus(storage, in: [.completed, .failed], timeout: .seconds(30))
            #expect(done.sync?.status == .completed, "\(done.sync?.traceback ?? "")")
            #expect(done.sync?.meta?.objectsScanned == 6)
            #expect(done.sync?.lastSyncCount == 6)
        }
        // The worker still claims and runs jobs.
        let after = try await world.sync(plain, until: [.completed])
        #expect(after.sync?.lastSyncCount == 5)
    }

    @Test func createStorageRefusesABackreferenceNamingTheConstruct() async throws {
        let world = try await World(staleAfterSeconds: 5, batchSize: 100)
        defer { world.cleanUp() }
        do {
            _ = try await world.storage(files: 0, regexFilter: #"(\w+)/\1\.json"#)
            Issue.record("a backreference was accepted")
        } catch let error as RPCError {
            #expect(error.code == .invalidArgument)
            #expect(error.message.contains("regex_filter"), "\(error.message)")
            #expect(error.message.contains("backreferences"), "\(error.message)")
        }
    }

    @Test func heartbeatsOfEveryJobFlowWhileSyncsAreCPUBoundAndCancelStopsOneAtOnce() async throws {
        // At least as many CPU-bound syncs as the threads of the worker's global executor (one
        // per CPU it may use): there they would hold every thread, and no heartbeat of any job
        // would go out. The worker runs on one CPU where it can, so the test burns one core and
        // leaves the others to the tests that run beside it.
        let stale = 2.0
        let pinned = WorkerChild.canPinToOneCPU
        let jobs = pinned ? 2 : max(2, ProcessInfo.processInfo.activeProcessorCount)
        let world = try await World(staleAfterSeconds: stale, batchSize: 100, maxJobs: jobs, workerOnOneCPU: pinned)
        defer { world.cleanUp() }
        // A filter that costs real CPU per key (hundreds of live NFA states per character) and
        // matches nothing, so each sync spends its whole life matching. Enough keys for about
        // eight seconds of matching, measured with the same build as the worker's.
        let pattern = #"(?:.?){400}x"#
        let stem = String(repeating: "k", count: 200)
        let filter = try KeyFilter(pattern: pattern)
        let perKey = ContinuousClock().measure { for index in 0..<5 { _ = filter.matches(stem + "\(index)") } } / 5
        let keys = min(40_000, max(100, Int(Duration.seconds(8) / perKey)))
        var storages: [Int64] = []
        for index in 0..<jobs {
            storages.append(
                try await world.storage(files: 0, path: "busy-\(index)", regexFilter: pattern) { directory in
                    for key in 0..<keys {
                        _ = FileManager.default.createFile(atPath: directory + "/\(stem)\(key)", contents: nil)
                    }
                })
        }
        try world.worker.start()
        for storage in storages {
            _ = try await world.admin { try await $0.startSync(storage) }
        }
        for storage in storages {
            _ = try await world.waitForStatus(storage, in: [.inProgress], timeout: .seconds(20))
        }

        // Three times stale_after: every job stays in progress and its pings keep advancing.
        var pings: [Int64: Set<Int64>] = [:]
        let watched = ContinuousClock.now
        while ContinuousClock.now - watched < .seconds(3 * stale) {
            for storage in storages {
                let listed = try await world.admin { try await $0.listed(storage) }
                try #require(listed.sync?.status == .inProgress, "\(listed.sync?.traceback ?? "")")
                pings[storage, default: []].insert(listed.sync?.meta?.timeLastPingUnixMicros ?? 0)
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        for storage in storages {
            #expect((pings[storage]?.count ?? 0) >= 6, "storage \(storage): pings \(pings[storage] ?? [])")
        }

        // A cancel reaches the CPU-bound sync with the next heartbeat reply and stops it at once.
        // The clock starts once ferryd has recorded it (starting ferryctl is not what is measured).
        try await world.ferryctl(["cancel", "\(storages[0])"])
        let cancelledAt = ContinuousClock.now
        let cancelled = try await world.waitForStatus(storages[0], in: [.failed], timeout: .seconds(20))
        #expect(ContinuousClock.now - cancelledAt < .seconds(stale), "the cancel took too long")
        #expect(cancelled.sync?.meta?.terminationReason == .cancelled)
        let confirmed = try await waitUntil(timeout: .seconds(5)) { world.worker.log.contains("JOB_RESULT_CANCELLED") }
        #expect(confirmed, "the worker did not confirm the cancel")
        for storage in storages.dropFirst() {
            let listed = try await world.admin { try await $0.listed(storage) }
            #expect(listed.sync?.status == .inProgress, "another job was disturbed")
            try await world.ferryctl(["cancel", "\(storage)"])
        }
    }

    // MARK: A task larger than the message limit

    @Test func aTaskLargerThanTheMessageLimitFailsValidationNamingItsKeyAndTheLimit() async throws {
        let world = try await World(staleAfterSeconds: 10, batchSize: 100)
        defer { world.cleanUp() }
        let storage = try await world.storage(files: 10) { directory in
            let text = String(repeating: "x", count: 5 * 1024 * 1024)
            try #"{"text":"\#(text)"}"#.write(toFile: directory + "/nested/huge.json", atomically: true, encoding: .utf8)
        }
        try world.worker.start()
        let done = try await world.sync(storage, until: [.completedWithErrors, .failed, .completed])
        let traceback = done.sync?.traceback ?? ""
        #expect(done.sync?.status == .completedWithErrors, "\(traceback)")
        #expect(done.sync?.lastSyncCount == 10)
        #expect(done.sync?.meta?.tasksFailedValidation == 1)
        #expect(traceback.contains("nested/huge.json"), "\(traceback)")
        #expect(traceback.contains("4194304"), "\(traceback)")
        try await world.expectTasks(10)
    }

    // MARK: kill -9 between two batches of one file

    @Test func aResyncAfterAKillBetweenTwoBatchesOfOneFileImportsExactlyTheMissingRows() async throws {
        let world = try await World(staleAfterSeconds: 3, batchSize: 100)
        defer { world.cleanUp() }
        let storage = try await world.storage(files: 0) { directory in
            let rows = (0..<20_000).map { #"{"row":\#($0)}"# }.joined(separator: ",\n")
            try "[\(rows)]".write(toFile: directory + "/list.json", atomically: true, encoding: .utf8)
        }
        try world.worker.start()
        _ = try await world.admin { try await $0.startSync(storage) }
        try await world.waitForProgress(storage)
        world.worker.kill9()
        _ = try await world.waitForStatus(storage, in: [.failed], timeout: .seconds(30))
        let before = try await world.taskCount()
        #expect(before > 0 && before < 20_000, "the kill came \(before) rows in")

        try world.worker.start()
        let resumed = try await world.sync(storage, until: [.completed])
        #expect(resumed.sync?.lastSyncCount == Int64(20_000 - before))
        #expect(resumed.sync?.meta?.tasksExisted == Int64(before))
        try await world.expectTasks(20_000)
        let again = try await world.sync(storage, until: [.completed])
        #expect(again.sync?.lastSyncCount == 0)
    }
}
