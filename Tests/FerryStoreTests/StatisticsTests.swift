import FerryCore
import Testing

@testable import FerryStore

@Suite("Statistics: storages by kind, provider and status; the queue")
struct StatisticsTests {
    @Test("groups count storages, and the queue counts queued jobs with the oldest queue time", arguments: StoreKind.allCases)
    func statisticsCountGroupsAndTheQueue(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let empty = try await store.statistics()
            #expect(empty == StoreStatistics(storages: [], queuedJobs: 0, oldestQueuedAt: nil))

            _ = try await Fixture.runningJob(store, job: "job-running")
            let first = try await Fixture.storage(store, title: "first")
            let second = try await Fixture.storage(store, title: "second")
            _ = try await Fixture.storage(store, kind: .export, title: "export")
            let later = Fixture.t0 + .seconds(30)
            _ = try await store.startSync(storageID: first.id, options: .default, now: Fixture.t0 + .seconds(10), jobID: "job-a")
            _ = try await store.startSync(storageID: second.id, options: .default, now: later, jobID: "job-b")

            let statistics = try await store.statistics()
            #expect(statistics.queuedJobs == 2)
            #expect(statistics.oldestQueuedAt == Fixture.t0 + .seconds(10))
            let groups = Set(statistics.storages)
            #expect(
                groups == [
                    .init(kind: .import, provider: .s3, status: .inProgress, count: 1),
                    .init(kind: .import, provider: .s3, status: .queued, count: 2),
                    .init(kind: .export, provider: .s3, status: .initialized, count: 1),
                ])
        }
    }
}
