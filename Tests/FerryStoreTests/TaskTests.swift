import FerryCore
import Testing

@testable import FerryStore

@Suite("Tasks and import batches")
struct TaskTests {
    @Test("the same batch twice inserts nothing the second time; overlapping batches never duplicate", arguments: StoreKind.allCases)
    func importIsIdempotent(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let (storage, claim) = try await Fixture.runningJob(store)
            let batch = Fixture.tasks("a.jsonl", rows: 4) + Fixture.tasks("b.json", rows: 1)

            let first = try await store.importTasks(lease: claim.lease, tasks: batch, checkpoint: nil, now: Fixture.t0)
            #expect(first.inserted == 5)
            #expect(first.existedCount == 0)
            #expect(first.created.map(\.key) == batch.map(\.key))
            #expect(first.created.map(\.rowIndex) == batch.map(\.rowIndex))

            let second = try await store.importTasks(lease: claim.lease, tasks: batch, checkpoint: nil, now: Fixture.t0)
            #expect(second.inserted == 0)
            #expect(second.existedCount == 5)
            #expect(second.existed == first.created)

            // Overlap: two known rows, two new ones, and a repeat inside the batch.
            let overlap =
                Array(Fixture.tasks("a.jsonl", rows: 6).suffix(4)) + [NewTask(key: "a.jsonl", rowIndex: 5, data: "{}")]
            let third = try await store.importTasks(
                lease: claim.lease,
                tasks: overlap,
                checkpoint: SyncCheckpoint(lastKey: "a.jsonl"),
                now: Fixture.t0
            )
            #expect(third.created.map(\.rowIndex) == [4, 5])
            #expect(third.existed.map(\.rowIndex) == [2, 3])
            #expect(try await store.taskCount(projectID: 1) == 7)
            #expect(try await store.job(id: claim.job.id)?.checkpoint?.lastKey == "a.jsonl")

            let keys = try await store.newImportKeys(
                lease: claim.lease,
                keys: ["d.json", "a.jsonl", "b.json", "c.json", "a.jsonl", "d.json"]
            )
            #expect(keys == ["d.json", "c.json"])
            #expect(try await store.newImportKeys(lease: claim.lease, keys: []).isEmpty)

            let empty = try await store.importTasks(lease: claim.lease, tasks: [], checkpoint: nil, now: Fixture.t0)
            #expect(empty.inserted == 0 && empty.existedCount == 0)

            let tasks = try await store.listTasks(projectID: 1, storageID: storage.id, afterID: 0, limit: 100)
            #expect(tasks.count == 7)
            #expect(Set(tasks.map { "\($0.key ?? "")#\($0.rowIndex ?? -1)" }).count == 7)
            #expect(tasks.first?.data == #"{"text":"a.jsonl row 0"}"#)
            #expect(tasks.allSatisfy { $0.projectID == 1 && $0.storageID == storage.id && $0.createdAt == Fixture.t0 })
        }
    }

    @Test("concurrent overlapping batches of one job never duplicate a link", arguments: StoreKind.allCases)
    func concurrentBatchesNeverDuplicate(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let (_, claim) = try await Fixture.runningJob(store)
            let results = try await withThrowingTaskGroup(of: ImportResult.self) { group in
                for offset in 0..<8 {
                    group.addTask {
                        let tasks = (offset..<(offset + 10)).map { NewTask(key: "k", rowIndex: Int64($0), data: "{}") }
                        return try await store.importTasks(
                            lease: claim.lease,
                            tasks: tasks,
                            checkpoint: nil,
                            now: Fixture.t0
                        )
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.reduce(0) { $0 + $1.inserted } == 17)
            #expect(try await store.taskCount(projectID: 1) == 17)
        }
    }

    @Test("tasks page by id and filter by storage; a non-import job makes no tasks", arguments: StoreKind.allCases)
    func listingAndKinds(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let (first, claim) = try await Fixture.runningJob(store, job: "job-1")
            _ = try await store.importTasks(
                lease: claim.lease,
                tasks: Fixture.tasks("x", rows: 5),
                checkpoint: nil,
                now: Fixture.t0
            )
            let (second, claim2) = try await Fixture.runningJob(store, worker: "worker-b", job: "job-2")
            _ = try await store.importTasks(
                lease: claim2.lease,
                tasks: Fixture.tasks("x", rows: 3),
                checkpoint: nil,
                now: Fixture.t0
            )

            var seen: [Int64] = []
            var after: Int64 = 0
            while true {
                let page = try await store.listTasks(projectID: 1, storageID: nil, afterID: after, limit: 3)
                if page.isEmpty { break }
                seen += page.map(\.id)
                after = page.last!.id
            }
            #expect(seen.count == 8)
            #expect(seen == seen.sorted())
            #expect(try await store.listTasks(projectID: 1, storageID: first.id, afterID: 0, limit: 100).count == 5)
            #expect(try await store.listTasks(projectID: 1, storageID: second.id, afterID: 0, limit: 100).count == 3)
            #expect(try await store.listTasks(projectID: 2, storageID: nil, afterID: 0, limit: 100).isEmpty)
            #expect(try await store.listTasks(projectID: 1, storageID: nil, afterID: 0, limit: 0).isEmpty)
            #expect(try await store.taskCount(projectID: 2) == 0)

            let (_, exportClaim) = try await Fixture.runningJob(store, kind: .export, worker: "worker-c", job: "job-3")
            await expectStoreError(.invalidArgument) {
                _ = try await store.importTasks(
                    lease: exportClaim.lease,
                    tasks: Fixture.tasks("y", rows: 1),
                    checkpoint: nil,
                    now: Fixture.t0
                )
            }
            #expect(try await store.taskCount(projectID: 1) == 8)
        }
    }
}
