import FerryCore
import Testing

@testable import FerryStore

/// Annotations as the platform puts them, and the export links that decide what an export
/// batch holds: a newer version replaces, a replay changes nothing, only changed or deleted
/// annotations make a task's object due again, and a settled lease writes no link.
@Suite("Annotations and export links")
struct AnnotationExportTests {
    static func write(_ id: Int64, task: Int64, label: String, updated: Int64) -> AnnotationWrite {
        AnnotationWrite(
            id: id, taskID: task, resultJSON: #"["\#(label)"]"#, completedBy: "a", createdAt: Fixture.t0,
            updatedAt: FerryTime(unixMicroseconds: updated))
    }

    /// Three tasks of project 1 (ids ascending), and a running export job on a storage that
    /// deletes objects or not.
    static func exportJob(_ store: some FerryStore, canDelete: Bool) async throws -> (tasks: [Int64], lease: JobLease) {
        let (_, importing) = try await Fixture.runningJob(store, job: "job-import")
        let imported = try await store.importTasks(
            lease: importing.lease, tasks: Fixture.tasks("t.json", rows: 3), checkpoint: nil, now: Fixture.t0)
        var settings = Fixture.settings(location: .s3(S3Location(bucket: "out")))
        settings.prefix = "exports"
        settings.regexFilter = ""
        settings.canDeleteObjects = canDelete
        let storage = try await store.createStorage(kind: .export, settings: settings, secrets: .none, now: Fixture.t0)
        _ = try await store.startSync(storageID: storage.id, options: .default, now: Fixture.t0, jobID: "job-export")
        let claim = try #require(
            try await store.claimJob(
                workerID: "worker-a", instanceID: "inst-1", kinds: [.export], providers: [], now: Fixture.t0,
                leaseToken: "lease-export"))
        return (imported.created.map(\.taskID).sorted(), claim.lease)
    }

    /// Acknowledges a whole batch as written.
    static func acknowledge(_ store: some FerryStore, _ batch: ExportBatch, lease: JobLease) async throws {
        _ = try await store.acknowledgeExport(
            lease: lease,
            written: batch.objects.map { ExportWritten(taskID: $0.taskID, key: $0.key, etag: "e", annotations: $0.annotations) },
            deletedKeys: batch.deleteKeys, checkpoint: nil, now: Fixture.t0)
    }

    @Test("a newer put replaces, a replay or an older one changes nothing, and foreign tasks are refused", arguments: StoreKind.allCases)
    func putRules(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let (tasks, _) = try await Self.exportJob(store, canDelete: false)
            let first = try await store.putAnnotations(projectID: 1, [Self.write(7, task: tasks[0], label: "a", updated: 10)])
            #expect(first.unchanged == 0 && first.stored.map(\.resultJSON) == [#"["a"]"#])
            let replay = try await store.putAnnotations(projectID: 1, [Self.write(7, task: tasks[0], label: "b", updated: 10)])
            #expect(replay.unchanged == 1 && replay.stored.map(\.resultJSON) == [#"["a"]"#])
            let older = try await store.putAnnotations(projectID: 1, [Self.write(7, task: tasks[0], label: "c", updated: 5)])
            #expect(older.unchanged == 1 && older.stored.first?.updatedAt.unixMicroseconds == 10)
            let newer = try await store.putAnnotations(projectID: 1, [Self.write(7, task: tasks[0], label: "d", updated: 11)])
            #expect(newer.unchanged == 0 && newer.stored.map(\.resultJSON) == [#"["d"]"#])

            let moved = await expectStoreError(.invalidArgument) {
                _ = try await store.putAnnotations(projectID: 1, [Self.write(7, task: tasks[1], label: "e", updated: 12)])
            }
            #expect(moved?.message.contains("belongs to task \(tasks[0])") == true)
            let foreign = await expectStoreError(.invalidArgument) {
                _ = try await store.putAnnotations(projectID: 2, [Self.write(8, task: tasks[0], label: "e", updated: 1)])
            }
            #expect(foreign?.message.contains("is not a task of project 2") == true)
            #expect(try await store.annotations(ofTasks: tasks).mapValues { $0.map(\.id) } == [tasks[0]: [7]])
        }
    }

    @Test("only new, changed or deleted annotations make a task due; a late change stays due", arguments: StoreKind.allCases)
    func batchesFollowLinks(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let (tasks, lease) = try await Self.exportJob(store, canDelete: true)
            _ = try await store.putAnnotations(
                projectID: 1,
                [Self.write(1, task: tasks[0], label: "a", updated: 10), Self.write(2, task: tasks[0], label: "b", updated: 10),
                 Self.write(3, task: tasks[1], label: "c", updated: 10)])
            let first = try await store.exportBatch(lease: lease, afterTaskID: 0, limit: 10)
            #expect(first.done && first.objects.map(\.taskID) == [tasks[0], tasks[1]])
            #expect(first.objects.first?.key == "exports/\(tasks[0]).json")
            #expect(first.objects.first?.annotations.map(\.id) == [1, 2])
            #expect(first.objects.first?.content.contains(#""result":["a"]"#) == true)

            // Annotation 2 changes after the batch was made: its link keeps the old version.
            _ = try await store.putAnnotations(projectID: 1, [Self.write(2, task: tasks[0], label: "b2", updated: 20)])
            try await Self.acknowledge(store, first, lease: lease)
            let next = try await store.exportBatch(lease: lease, afterTaskID: 0, limit: 10)
            #expect(next.objects.map(\.taskID) == [tasks[0]], "the late change is still due")
            try await Self.acknowledge(store, next, lease: lease)
            #expect(try await store.exportBatch(lease: lease, afterTaskID: 0, limit: 10).objects.isEmpty)

            // Deleting one of two annotations rewrites the task; deleting the last deletes its key.
            _ = try await store.deleteAnnotations(projectID: 1, ids: [1, 3], now: Fixture.t0)
            let afterDelete = try await store.exportBatch(lease: lease, afterTaskID: 0, limit: 10)
            #expect(afterDelete.objects.map(\.taskID) == [tasks[0]])
            #expect(afterDelete.objects.first?.annotations.map(\.id) == [2])
            #expect(afterDelete.deleteKeys == ["exports/\(tasks[1]).json"])
            try await Self.acknowledge(store, afterDelete, lease: lease)
            let settled = try await store.exportBatch(lease: lease, afterTaskID: 0, limit: 10)
            #expect(settled.objects.isEmpty && settled.deleteKeys.isEmpty)
        }
    }

    @Test("without can_delete_objects a task left without annotations keeps its object and loses its links", arguments: StoreKind.allCases)
    func keptObjects(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let (tasks, lease) = try await Self.exportJob(store, canDelete: false)
            _ = try await store.putAnnotations(projectID: 1, [Self.write(1, task: tasks[2], label: "a", updated: 10)])
            try await Self.acknowledge(store, try await store.exportBatch(lease: lease, afterTaskID: 0, limit: 10), lease: lease)
            _ = try await store.deleteAnnotations(projectID: 1, ids: [1], now: Fixture.t0)
            let batch = try await store.exportBatch(lease: lease, afterTaskID: 0, limit: 10)
            #expect(batch.objects.isEmpty && batch.deleteKeys.isEmpty)
            #expect(try await store.exportBatch(lease: lease, afterTaskID: 0, limit: 10).deleteKeys.isEmpty)
        }
    }

    @Test("batches page by task id, and a settled lease records nothing", arguments: StoreKind.allCases)
    func pagingAndFencing(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let (tasks, lease) = try await Self.exportJob(store, canDelete: false)
            _ = try await store.putAnnotations(
                projectID: 1, tasks.enumerated().map { Self.write(Int64($0.offset + 1), task: $0.element, label: "x", updated: 1) })
            let page = try await store.exportBatch(lease: lease, afterTaskID: 0, limit: 2)
            #expect(!page.done && page.objects.map(\.taskID) == Array(tasks[0..<2]) && page.lastTaskID == tasks[1])
            let rest = try await store.exportBatch(lease: lease, afterTaskID: page.lastTaskID, limit: 2)
            #expect(rest.done && rest.objects.map(\.taskID) == [tasks[2]])

            _ = try await store.completeJob(lease: lease, outcome: .failed(traceback: "gone"), counters: nil, now: Fixture.t0)
            await expectStoreError(.leaseNotCurrent) { try await Self.acknowledge(store, page, lease: lease) }
            await expectStoreError(.leaseNotCurrent) { _ = try await store.exportBatch(lease: lease, afterTaskID: 0, limit: 2) }
        }
    }
}
