import FerryCore
import FerryCrypto
import FerryStore
import Foundation
import Logging
import Testing

@testable import FerryServices

/// ``ProgressWriter`` over a real SQLite store: heartbeats whose leases this process does not know
/// wait for their own fenced answers, which arrive in shared batches.
@Suite struct ProgressWriterTests {
    static let t0 = FerryTime(unixMicroseconds: 1_800_000_000_000_000)

    @Test func awaitedReportsAreFencedOneByOneInSharedBatches() async throws {
        try await withWriter { store, writer in
            var leases: [JobLease] = []
            for index in 0..<50 { leases.append(try await Self.runningJob(store, index: index)) }
            let later = Self.t0 + .seconds(5)
            let results = await withTaskGroup(of: (Int, Result<ProgressResult, StoreError>).self) { group in
                for (index, lease) in leases.enumerated() {
                    group.addTask {
                        let report = ProgressReport(lease: lease, counters: SyncCounters(synced: Int64(index)), checkpoint: nil, time: later)
                        return (index, await writer.write(report))
                    }
                }
                var results: [Int: Result<ProgressResult, StoreError>] = [:]
                for await (index, result) in group { results[index] = result }
                return results
            }
            #expect(results.count == 50)
            for (index, lease) in leases.enumerated() {
                #expect((try? results[index]?.get())?.syncInfo.meta.timeLastPing == later)
                #expect(store.cachedCancelRequested(for: lease) == false, "a fenced report caches its lease")
            }
        }
    }

    @Test func twoProcessesPresentingOneJobEachGetTheirOwnAnswer() async throws {
        try await withWriter { store, writer in
            let lease = try await Self.runningJob(store, index: 0)
            var impostor = lease
            impostor.instanceID = "another-process"
            let time = Self.t0 + .seconds(5)
            async let forged = writer.write(ProgressReport(lease: impostor, counters: .zero, checkpoint: nil, time: time))
            async let genuine = writer.write(ProgressReport(lease: lease, counters: .zero, checkpoint: nil, time: time))
            let (forgedResult, genuineResult) = await (forged, genuine)
            guard case .failure(let error) = forgedResult else {
                Issue.record("the other process's report was accepted")
                return
            }
            #expect(error.code == .notLeaseHolder || error.code == .leaseNotCurrent)
            #expect((try? genuineResult.get()) != nil)
        }
    }

    /// Progress nobody waits for is held for the gathering window, and a flush ends the wait.
    @Test func aFlushCutsTheGatheringWindowShort() async throws {
        try await withWriter(gatherWindow: .seconds(600)) { store, writer in
            let (lease, storageID) = try await Self.runningStorage(store, index: 0)
            let time = Self.t0 + .seconds(5)
            writer.submit(lease: lease, counters: SyncCounters(objectsScanned: 7), checkpoint: nil, time: time)
            try await Task.sleep(for: .milliseconds(100))
            #expect(try await store.base.storage(id: storageID).syncInfo.meta.timeLastPing != time, "written before its window ended")
            try await Self.withinTenSeconds { await writer.flush() }
            let storage = try await store.base.storage(id: storageID)
            #expect(storage.syncInfo.meta.timeLastPing == time)
            #expect(storage.syncInfo.meta.objectsScanned == 7)
        }
    }

    @Test func anAwaitedReportCutsTheGatheringWindowShortForWhatGathered() async throws {
        try await withWriter(gatherWindow: .seconds(600)) { store, writer in
            let (gathering, gatheringStorage) = try await Self.runningStorage(store, index: 0)
            let awaited = try await Self.runningJob(store, index: 1)
            let time = Self.t0 + .seconds(5)
            writer.submit(lease: gathering, counters: SyncCounters(objectsScanned: 3), checkpoint: nil, time: time)
            let result = try await Self.withinTenSeconds {
                await writer.write(ProgressReport(lease: awaited, counters: .zero, checkpoint: nil, time: time))
            }
            #expect((try? result.get()) != nil)
            // The gathered report went in the same batch as the awaited one.
            #expect(try await store.base.storage(id: gatheringStorage).syncInfo.meta.timeLastPing == time)
        }
    }

    /// Runs `body`, failing the test if it takes ten seconds (the windows above are ten minutes).
    private static func withinTenSeconds<T: Sendable>(_ body: @escaping @Sendable () async -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { await body() }
            group.addTask {
                try await Task.sleep(for: .seconds(10))
                return nil
            }
            let first = try await group.next()!
            group.cancelAll()
            return try #require(first, "still waiting after ten seconds: the gathering window was not cut short")
        }
    }

    /// A caching store over a fresh SQLite file, and a writer over it.
    private func withWriter(
        gatherWindow: Duration = .zero,
        _ body: (LeaseCachingStore, ProgressWriter) async throws -> Void
    ) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("progress-writer-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let logger = Logger(label: "progress-writer-tests")
        let base = try await SQLiteFerryStore.open(
            path: directory + "/ferry.db", sealer: try AESSecretSealer(key: SecureRandom.bytes(32)), logger: logger)
        let store = LeaseCachingStore(base)
        do {
            try await body(
                store, ProgressWriter(store: store, sweepPeriod: .milliseconds(10), gatherWindow: gatherWindow, logger: logger))
        } catch {
            try? await base.close()
            throw error
        }
        try await base.close()
    }

    /// A storage with a sync claimed by `worker-<index>`; its lease, known to the store only.
    private static func runningJob(_ store: LeaseCachingStore, index: Int) async throws -> JobLease {
        try await runningStorage(store, index: index).lease
    }

    /// The same, with the storage's id.
    private static func runningStorage(_ store: LeaseCachingStore, index: Int) async throws -> (lease: JobLease, storageID: Int64) {
        let storage = try await store.base.createStorage(
            kind: .import,
            settings: StorageSettings(
                projectID: 1, title: "s\(index)", description: "", synchronizable: true,
                location: .s3(S3Location(bucket: "data")), prefix: "", regexFilter: "", recursiveScan: false,
                presignTTL: .minutes(15)),
            secrets: .none, now: t0)
        _ = try await store.base.startSync(storageID: storage.id, options: .default, now: t0, jobID: "job-\(index)")
        let claim = try await store.base.claimJob(
            workerID: "worker-\(index)", instanceID: "inst", kinds: [], providers: [], now: t0, leaseToken: "lease-\(index)")
        return (try #require(claim).lease, storage.id)
    }
}
