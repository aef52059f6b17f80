import FerryCore
import FerryProto
import FerryRPC
import FerryServices
import FerryTLS
import FerryTestSupport
import FerryTransport
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Crash recovery of the REAL `ferryd` executable (issue 3): `kill -9` it mid-traffic, restart it
/// on the same database and key files, and check that what it acknowledged before the crash is
/// served again: storages, the running job, task links, import dedupe and termination verdicts.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct CrashRecoveryTests {
    static let projectID: Int64 = 11
    /// Generous: the machine running these may be loaded.
    static let patience = Duration.seconds(20)
    static let batchSize = 25

    // MARK: 1. kill -9 mid-traffic

    @Test func killNineMidTrafficKeepsEverythingAcknowledged() async throws {
        let daemon = try FerrydProcess(staleAfterSeconds: 30)
        defer { daemon.cleanUp() }
        try await daemon.start()

        // Before the storm: three storages, a running job, a first batch of tasks.
        var storages: [Int64: FerryV1.StorageSpec] = [:]
        for index in 0..<3 {
            let storage = try await daemon.createLocalStorage(name: "base-\(index)")
            storages[storage.id] = storage.spec
        }
        let syncedID = try #require(storages.keys.min())
        let (job, lease) = try await daemon.withClient(.admin) { admin in
            try await daemon.withClient(.worker) { worker in
                let started = try await admin.startSync(syncedID)
                let acquired = try await worker.acquireJob(instance: "crash-i1", wait: .seconds(5))
                let job = try #require(acquired.job)
                #expect(job.id == started.jobID)
                #expect(job.storageID == syncedID)
                return (job, FerryV1.JobLease(jobID: job.id, leaseToken: job.leaseToken, instanceID: "crash-i1"))
            }
        }
        let firstBatch = (0..<5).map { FerryV1.ImportTask(key: "first-\($0).json", rowIndex: 0, dataJSON: #"{"n":\#($0)}"#) }
        let firstReply = try await daemon.withClient(.worker) { worker in
            let reply = try #require(try await worker.heartbeat { session in try await session.ping(lease, synced: 1) })
            #expect(reply.ack)
            #expect(reply.leaseStatus == .active)
            return try await worker.submit(lease, firstBatch)
        }
        #expect(firstReply.created.count == firstBatch.count)

        // The storm: concurrent CreateStorage, heartbeats and one-task imports; kill -9 in the middle.
        let acknowledged = Acknowledged()
        for link in firstReply.created { acknowledged.link(link) }
        // Four lanes of CreateStorage calls, one after another, so that some are always in flight.
        let stormTitles = (0..<4).flatMap { lane in (0..<50).map { "storm-\(lane)-\($0)" } }
        for title in stormTitles {
            try FileManager.default.createDirectory(
                atPath: daemon.localFilesRoot + "/" + title, withIntermediateDirectories: true)
        }
        try await daemon.withClient(.admin) { admin in
            try await daemon.withClient(.worker) { worker in
                await withTaskGroup(of: Void.self) { group in
                    for lane in 0..<4 {
                        group.addTask {
                            for title in stormTitles where title.hasPrefix("storm-\(lane)-") {
                                let request = daemon.localStorageRequest(name: title)
                                guard let storage = try? await admin.createStorage(request).storage,
                                    let spec = storage.spec
                                else { return }
                                acknowledged.storage(storage.id, spec)
                            }
                        }
                    }
                    group.addTask {
                        _ = try? await worker.heartbeat { session in
                            for count in 2...10_000 {
                                guard let reply = try await session.ping(lease, synced: Int64(count)) else { return }
                                if reply.ack { acknowledged.ping() }
                                try await Task.sleep(for: .milliseconds(20))
                            }
                        }
                    }
                    for lane in 0..<4 {
                        group.addTask {
                            for index in 0..<1_000 {
                                let key = "storm-\(lane)-\(index).json"
                                acknowledged.attempt(key)
                                let task = FerryV1.ImportTask(key: key, rowIndex: 0, dataJSON: #"{"k":"\#(key)"}"#)
                                guard let reply = try? await worker.submit(lease, [task]) else { return }
                                for link in reply.created { acknowledged.link(link) }
                                for link in reply.existed { acknowledged.link(link) }
                            }
                        }
                    }
                    group.addTask {
                        // Larger batches: one in flight at the kill must land whole or not at all.
                        for batch in 0..<200 {
                            let tasks = (0..<Self.batchSize).map { row in
                                let key = "batch-\(batch)-\(row).json"
                                return FerryV1.ImportTask(key: key, rowIndex: 0, dataJSON: #"{"k":"\#(key)"}"#)
                            }
                            for task in tasks { acknowledged.attempt(task.key) }
                            guard let reply = try? await worker.submit(lease, tasks) else { return }
                            for link in reply.created { acknowledged.link(link) }
                            for link in reply.existed { acknowledged.link(link) }
                        }
                    }
                    group.addTask {
                        // Kill while calls are in flight: once some of each kind were acknowledged.
                        _ = try? await waitUntil(timeout: Self.patience, every: .milliseconds(5)) {
                            acknowledged.storageCount >= 8 && acknowledged.linkCount >= firstBatch.count + 3
                                && acknowledged.pings >= 2
                        }
                        daemon.kill9()
                    }
                }
            }
        }
        let acked = acknowledged.snapshot
        for (id, spec) in acked.storages { storages[id] = spec }
        #expect(acked.storages.count < stormTitles.count, "the kill came after every CreateStorage returned")

        // Restart on the same files.
        try await daemon.start()
        try await daemon.withClient(.admin) { admin in
            // Every acknowledged storage is served with the same spec; extras are only storm ones.
            let listed = try await Self.listAll(admin)
            let listedByID = Dictionary(listed.storages.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            #expect(listedByID.count == listed.storages.count, "ListStorages repeats an id")
            for (id, spec) in storages {
                #expect(listedByID[id]?.spec == spec, "storage \(id) lost or changed by the crash")
                #expect(try await admin.getStorage(id).storage?.spec == spec)
            }
            for storage in listed.storages where storages[storage.id] == nil {
                #expect(
                    stormTitles.contains(storage.spec?.title ?? ""),
                    "storage \(storage.id) was never requested: \(String(describing: storage.spec?.title))")
            }
            let titles = listed.storages.compactMap { $0.spec?.title }
            // What the kill interrupted, for the log.
            print("crash-recovery: acknowledged \(acked.storages.count)/\(stormTitles.count) storm storages (\(listed.storages.count - 3) served), \(acked.links.count) links of \(acked.attempted.count + firstBatch.count) submitted keys, \(acked.pings) pings")
            #expect(Set(titles).count == titles.count, "a CreateStorage was applied twice")
            #expect(listed.totalCount == Int64(listed.storages.count), "total_count disagrees with the pages")

            // The running job is not lost.
            let synced = try #require(listedByID[syncedID])
            let sync = try #require(synced.sync, "the sync of storage \(syncedID) vanished")
            #expect(sync.status == .inProgress, "sync after restart: \(sync.status) \(sync.traceback)")
            #expect(sync.meta?.workerID == "worker-1")

            // Tasks: every acknowledged link is there, nothing twice, nothing never submitted.
            let tasks = try await admin.listTasks(projectID: Self.projectID)
            #expect(Set(tasks.map(\.id)).count == tasks.count, "ListTasks repeats a task")
            var taskIDByKey: [String: Int64] = [:]
            for task in tasks {
                for source in task.sources {
                    #expect(taskIDByKey[source.key] == nil, "key \(source.key) links two tasks")
                    taskIDByKey[source.key] = task.id
                    #expect(source.storageID == syncedID)
                }
            }
            for (key, taskID) in acked.links {
                #expect(taskIDByKey[key] == taskID, "acknowledged link \(key) → \(taskID) not served")
            }
            let submitted = Set(firstBatch.map(\.key)).union(acked.attempted)
            for key in taskIDByKey.keys {
                #expect(submitted.contains(key), "task for never-submitted key \(key)")
            }

            // A batch is atomic: all of its tasks or none.
            let batchKeys = acked.attempted.filter { $0.hasPrefix("batch-") }
            let batches = Dictionary(grouping: batchKeys) { $0.split(separator: "-")[1] }
            for (batch, keys) in batches {
                let served = keys.filter { taskIDByKey[$0] != nil }.count
                #expect(served == 0 || served == Self.batchSize, "batch \(batch) half-imported: \(served) tasks")
            }

            // Dedupe survives: the same tasks again under the still-valid lease create nothing.
            try await daemon.withClient(.worker) { worker in
                let again = try await worker.submit(lease, firstBatch)
                #expect(again.created.isEmpty, "dedupe lost: \(again.created.map(\.key))")
                #expect(Set(again.existed.map(\.taskID)) == Set(firstReply.created.map(\.taskID)))
                let stormAgain = acked.links.keys.filter { !$0.hasPrefix("first-") }.sorted().map {
                    FerryV1.ImportTask(key: $0, rowIndex: 0, dataJSON: #"{"k":"\#($0)"}"#)
                }
                if !stormAgain.isEmpty {
                    let reply = try await worker.submit(lease, stormAgain)
                    #expect(reply.created.isEmpty, "dedupe lost: \(reply.created.map(\.key))")
                    #expect(reply.existed.count == stormAgain.count)
                }
                let ping = try await worker.heartbeat { session in try await session.ping(lease, synced: 20_000) }
                #expect(ping?.ack == true)
                #expect(ping?.leaseStatus == .active)
            }
            #expect(try await admin.listTasks(projectID: Self.projectID).count == tasks.count)
            #expect(try await admin.listed(syncedID).sync?.status == .inProgress)
            #expect(!job.leaseToken.isEmpty)
        }
        await daemon.stop()
    }

    /// Every page of ListStorages, concatenated (total_count from the first page).
    static func listAll(_ admin: FerryClient) async throws -> FerryV1.ListStoragesResponse {
        var all = try await admin.listStorages()
        var token = all.nextPageToken
        var pages = 1
        while !token.isEmpty {
            pages += 1
            try #require(pages < 1_000, "ListStorages pages never end")
            let page = try await admin.listStorages(FerryV1.ListStoragesRequest(pageToken: token))
            all.storages += page.storages
            token = page.nextPageToken
        }
        return all
    }

    // MARK: 2. A verdict reached after a crash is served again after the next one

    @Test func heartbeatTimeoutVerdictSurvivesRestarts() async throws {
        let daemon = try FerrydProcess(staleAfterSeconds: 1)
        defer { daemon.cleanUp() }
        try await daemon.start()

        let storage = try await daemon.createLocalStorage(name: "verdict")
        let (job, lastPing) = try await daemon.withClient(.admin) { admin in
            try await daemon.withClient(.worker) { worker in
                _ = try await admin.startSync(storage.id)
                let job = try #require(try await worker.acquireJob(instance: "verdict-i1", wait: .seconds(5)).job)
                let lease = FerryV1.JobLease(jobID: job.id, leaseToken: job.leaseToken, instanceID: "verdict-i1")
                let sent = ContinuousClock.now
                let reply = try await worker.heartbeat { session in try await session.ping(lease, synced: 1) }
                #expect(reply?.ack == true)
                return (job, sent)
            }
        }
        daemon.kill9()

        // After the restart and past stale_after, ListStorages reports the timeout.
        try await daemon.start()
        try await Task.sleep(until: lastPing + .milliseconds(1_200))
        let verdict = try await daemon.withClient(.admin) { admin in
            let failed = try await waitUntil(timeout: Self.patience, every: .milliseconds(100)) {
                try await admin.listed(storage.id).sync?.status == .failed
            }
            #expect(failed, "no verdict after the restart")
            return try #require(try await admin.listed(storage.id).sync)
        }
        #expect(verdict.meta?.terminationReason == .heartbeatTimeout)
        #expect(verdict.traceback.contains(job.id), "traceback: \(verdict.traceback)")
        #expect(verdict.traceback.contains("worker-1"), "traceback: \(verdict.traceback)")
        #expect((verdict.meta?.timeFailureUnixMicros ?? 0) > 0)

        // Crash again right away: the very same verdict is served.
        daemon.kill9()
        try await daemon.start()
        try await daemon.withClient(.admin) { admin in
            for _ in 0..<2 {
                let again = try #require(try await admin.listed(storage.id).sync)
                #expect(again.status == .failed)
                #expect(again.meta?.terminationReason == .heartbeatTimeout)
                #expect(again.traceback == verdict.traceback)
                #expect(again.meta?.timeFailureUnixMicros == verdict.meta?.timeFailureUnixMicros)
                #expect(try await admin.getStorage(storage.id).storage?.sync?.traceback == verdict.traceback)
            }
        }
        // The old lease stays fenced across the restarts.
        try await daemon.withClient(.worker) { worker in
            let lease = FerryV1.JobLease(jobID: job.id, leaseToken: job.leaseToken, instanceID: "verdict-i1")
            await #expect(throws: RPCError.self) {
                _ = try await worker.submit(lease, [FerryV1.ImportTask(key: "late.json", rowIndex: 0, dataJSON: "{}")])
            }
        }
        await daemon.stop()
    }
}

// MARK: - What the server acknowledged

/// Replies that came back OK before the kill.
final class Acknowledged: Sendable {
    struct Snapshot: Sendable {
        var storages: [Int64: FerryV1.StorageSpec] = [:]
        var links: [String: Int64] = [:]
        var attempted: Set<String> = []
        var pings: Int64 = 0
    }

    private let state = Mutex(Snapshot())

    func storage(_ id: Int64, _ spec: FerryV1.StorageSpec) { state.withLock { $0.storages[id] = spec } }
    func link(_ link: FerryV1.TaskLink) { state.withLock { $0.links[link.key] = link.taskID } }
    func attempt(_ key: String) { _ = state.withLock { $0.attempted.insert(key) } }
    func ping() { state.withLock { $0.pings += 1 } }

    var storageCount: Int { state.withLock { $0.storages.count } }
    var linkCount: Int { state.withLock { $0.links.count } }
    var pings: Int64 { state.withLock { $0.pings } }
    var snapshot: Snapshot { state.withLock { $0 } }
}
