import FerryProto
import Foundation
import Testing

/// What every cloud provider's end-to-end import test stores and expects: JSON, JSON-list and
/// JSONL objects in nested folders under `tasks/`, with objects the filter or the prefix leaves
/// out (1 + 3 + 4 + 1 = 9 tasks from 4 objects), synced by a storage with ``prefix`` and
/// ``regexFilter``.
enum CloudImportFixture {
    /// The storage's prefix.
    static let prefix = "tasks"
    /// The storage's filter: `.json` and `.jsonl` keys.
    static let regexFilter = #".*\.jsonl?"#

    /// The objects, by key.
    static let objects: [(key: String, bytes: [UInt8])] = [
        ("tasks/one.json", Array(#"{"text":"one"}"#.utf8)),
        ("tasks/lists/three.json", Array(#"[{"text":"l0"},{"text":"l1"},{"text":"l2"}]"#.utf8)),
        ("tasks/nested/deeper/rows.jsonl", Array((0..<4).map { #"{"row":\#($0)}"# }.joined(separator: "\n").utf8)),
        ("tasks/nested/two words.json", Array(#"{"text":"two"}"#.utf8)),
        ("tasks/nested/notes.txt", Array("filtered out by the regex".utf8)),
        ("elsewhere/outside.json", Array(#"{"text":"outside the prefix"}"#.utf8)),
    ]

    /// Syncs the storage and expects the 9 tasks, one per (key, row), each list element and
    /// JSONL line a task of its own.
    static func expectFirstSyncImportsEveryTask(_ world: World, _ storage: Int64) async throws {
        let first = try await world.sync(storage, until: [.completed, .failed])
        #expect(first.sync?.status == .completed, "\(first.sync?.traceback ?? "")\n\(world.worker.log)")
        #expect(first.sync?.lastSyncCount == 9)
        #expect(first.sync?.meta?.objectsScanned == 4)
        let tasks = try await world.admin { try await $0.listTasks(projectID: World.projectID) }
        let links = Set(tasks.flatMap { task in task.sources.map { "\($0.key)#\($0.rowIndex)" } })
        #expect(
            links == [
                "tasks/one.json#0", "tasks/lists/three.json#0", "tasks/lists/three.json#1", "tasks/lists/three.json#2",
                "tasks/nested/deeper/rows.jsonl#0", "tasks/nested/deeper/rows.jsonl#1",
                "tasks/nested/deeper/rows.jsonl#2", "tasks/nested/deeper/rows.jsonl#3", "tasks/nested/two words.json#0",
            ])
        #expect(tasks.contains { $0.dataJSON.contains(#""text":"l2""#) }, "the list's elements are the tasks' data")
        #expect(tasks.contains { $0.dataJSON.contains(#""row":3"#) }, "each JSONL line is a task")

        let again = try await world.sync(storage, until: [.completed, .failed])
        #expect(again.sync?.status == .completed, "\(again.sync?.traceback ?? "")")
        #expect(again.sync?.lastSyncCount == 0)
        #expect(again.sync?.meta?.tasksExisted == 4)
    }

    /// Syncs a storage with wrong credentials and expects it to fail with a traceback that names
    /// `subject`, the provider's `code` and the 403, shows none of `secrets`, and adds no task.
    static func expectSyncRefused(
        _ world: World, _ storage: Int64, subject: String, code: String, secrets: [String]
    ) async throws {
        let failed = try await world.sync(storage, until: [.failed, .completed])
        #expect(failed.sync?.status == .failed)
        let traceback = failed.sync?.traceback ?? ""
        #expect(traceback.contains(subject), "\(traceback)")
        #expect(traceback.contains(code), "\(traceback)")
        #expect(traceback.contains("403"), "\(traceback)")
        #expect(secrets.allSatisfy { !traceback.contains($0) }, "\(traceback)")
        #expect(try await world.taskCount() == 0)
    }
}
