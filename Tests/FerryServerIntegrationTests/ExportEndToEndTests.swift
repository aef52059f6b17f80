import FerryProto
import FerryRPC
import FerryTestSupport
import Foundation
import Testing

/// Export storages run by real `ferryd` and `ferry-worker` processes over TLS, on local files:
/// annotations put through the API are written as `<prefix>/<task id>.json`, only what changed
/// is rewritten, deletes follow `can_delete_objects`, and export-on-change follows PutAnnotations.
@Suite(.serialized, .timeLimit(.minutes(6)))
struct ExportEndToEndTests {
    typealias Methods = FerryV1.Methods.StorageService

    private static func exportStorage(_ world: World, path: String, onChange: Bool = false) async throws -> Int64 {
        try FileManager.default.createDirectory(
            atPath: world.daemon.localFilesRoot + "/" + path, withIntermediateDirectories: true)
        let request = FerryV1.CreateStorageRequest(
            spec: FerryV1.StorageSpec(
                projectID: World.projectID, title: "export e2e", kind: .export, provider: .local, prefix: "annotations",
                canDeleteObjects: true, synchronizable: true, exportOnChange: onChange,
                local: FerryV1.LocalLocation(path: path)))
        return try await world.admin { try #require(try await $0.createStorage(request).storage).id }
    }

    /// Each exported file's inode, by task id: a rewrite (temporary file, then rename) changes it.
    /// Read on the tests' blocking pool: thousands of stat calls would hold a thread of the
    /// executor the in-process servers of other suites run on.
    private static func exported(_ world: World, path: String) async throws -> [Int64: UInt64] {
        let folder = world.daemon.localFilesRoot + "/" + path + "/annotations"
        return try await TestBlockingWork.run {
            var inodes: [Int64: UInt64] = [:]
            for name in try FileManager.default.contentsOfDirectory(atPath: folder) where name.hasSuffix(".json") {
                let attributes = try FileManager.default.attributesOfItem(atPath: folder + "/" + name)
                inodes[Int64(name.dropLast(5))!] = (attributes[.systemFileNumber] as? NSNumber)?.uint64Value
            }
            return inodes
        }
    }

    private static func object(_ world: World, path: String, task: Int64) throws -> [String: Any] {
        let file = world.daemon.localFilesRoot + "/" + path + "/annotations/\(task).json"
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func anExportWritesEachTaskOnceThenOnlyChangesAndDeletes() async throws {
        let world = try await World(staleAfterSeconds: 10, batchSize: 100)
        defer { world.cleanUp() }
        let tasks = try await ExportFixture.importedTasks(world, count: 1_000)
        #expect(tasks.count == 1_000)
        let put = try await ExportFixture.put(world, tasks.map { ExportFixture.annotation(task: $0, label: "cat", updated: 1_700_000_000_000_001) })
        #expect(put.annotations.count == 1_000 && put.unchanged == 0)
        let storage = try await Self.exportStorage(world, path: "out")

        let first = try await world.sync(storage, until: [.completed, .failed])
        #expect(first.sync?.status == .completed, "\(first.sync?.traceback ?? "")")
        #expect(first.sync?.lastSyncCount == 1_000)
        let written = try await Self.exported(world, path: "out")
        #expect(Set(written.keys) == Set(tasks))
        let sample = try Self.object(world, path: "out", task: tasks[7])
        #expect(sample["id"] as? Int64 == tasks[7])
        #expect((sample["data"] as? [String: Any])?["text"] != nil)
        let annotations = try #require(sample["annotations"] as? [[String: Any]])
        #expect(annotations.count == 1)
        #expect(annotations.first?["id"] as? Int64 == ExportFixture.annotationID(of: tasks[7]))
        let result = "\(annotations.first?["result"] ?? "")"
        #expect(result.contains("cat"), "\(result)")
        #expect(annotations.first?["updated_at"] as? String != nil)

        let second = try await world.sync(storage, until: [.completed, .failed])
        #expect(second.sync?.status == .completed && second.sync?.lastSyncCount == 0, "\(second.sync?.traceback ?? "")")
        #expect(try await Self.exported(world, path: "out") == written)

        // A replayed, older put changes nothing; ten newer ones are rewritten, and only they.
        let stale = try await ExportFixture.put(world, [ExportFixture.annotation(task: tasks[0], label: "old", updated: 1)])
        #expect(stale.unchanged == 1)
        let changed = Array(tasks[100..<110])
        _ = try await ExportFixture.put(world, changed.map { ExportFixture.annotation(task: $0, label: "dog", updated: 1_700_000_000_000_002) })
        let third = try await world.sync(storage, until: [.completed, .failed])
        #expect(third.sync?.status == .completed && third.sync?.lastSyncCount == 10, "\(third.sync?.traceback ?? "")")
        let afterChange = try await Self.exported(world, path: "out")
        #expect(Set(afterChange.filter { written[$0.key] != $0.value }.keys) == Set(changed))
        #expect("\(try Self.object(world, path: "out", task: changed[0])["annotations"] ?? "")".contains("dog"))

        // Deleting five annotations deletes exactly those five objects.
        let deleted = Array(tasks[500..<505])
        let deletedCount = try await ExportFixture.deleteAnnotations(world, ofTasks: deleted)
        #expect(deletedCount == 5)
        let fourth = try await world.sync(storage, until: [.completed, .failed])
        #expect(fourth.sync?.status == .completed, "\(fourth.sync?.traceback ?? "")")
        let afterDelete = try await Self.exported(world, path: "out")
        #expect(Set(afterChange.keys).subtracting(afterDelete.keys) == Set(deleted))
        #expect(afterDelete.count == 995)
        #expect(afterDelete.allSatisfy { afterChange[$0.key] == $0.value })
    }

    @Test func exportOnChangeFollowsAPutWithinFiveSeconds() async throws {
        let world = try await World(staleAfterSeconds: 10, batchSize: 100)
        defer { world.cleanUp() }
        let tasks = try await ExportFixture.importedTasks(world, count: 20)
        try FileManager.default.createDirectory(
            atPath: world.daemon.localFilesRoot + "/live", withIntermediateDirectories: true)
        let created = try await world.ferryctl([
            "storage", "create", "--project", "\(World.projectID)", "--title", "live", "--kind", "export",
            "--provider", "local", "--path", "live", "--prefix", "annotations", "--can-delete-objects",
            "--export-on-change", "-o", "json",
        ])
        let storage = try #require(
            (try JSONSerialization.jsonObject(with: Data(created.utf8)) as? [String: Any])?["id"] as? Int64, "\(created)")
        #expect(created.contains(#""export_on_change" : true"#) || created.contains(#""export_on_change":true"#), "\(created)")
        _ = try await ExportFixture.put(world, tasks.map { ExportFixture.annotation(task: $0, label: "first", updated: 10) })
        _ = try await world.waitForStatus(storage, in: [.completed], timeout: .seconds(30))

        // The change goes in through ferryctl's file format.
        let file = world.daemon.directory + "/change.json"
        try Data(
            #"[{"id": \#(ExportFixture.annotationID(of: tasks[3])), "task": \#(tasks[3]), "result": [{"value": "second"}], "updated_at": "2026-01-01T00:00:00.5Z"}]"#
                .utf8
        ).write(to: URL(fileURLWithPath: file))
        let changedAt = ContinuousClock.now
        let put = try await world.ferryctl(["annotations", "put", "--project", "\(World.projectID)", "--file", file])
        #expect(put.contains("put 1 annotations (0 unchanged"), "\(put)")
        let followed = try await waitUntil(timeout: .seconds(5), every: .milliseconds(20)) {
            let text = try? String(
                contentsOfFile: world.daemon.localFilesRoot + "/live/annotations/\(tasks[3]).json", encoding: .utf8)
            return text?.contains("second") == true
        }
        #expect(followed, "the object did not follow the put within 5 s")
        #expect(ContinuousClock.now - changedAt < .seconds(5))
    }

    @Test func invalidAnnotationsAreRefusedNamingTheAnnotationAndNothingIsStored() async throws {
        let world = try await World(staleAfterSeconds: 10, batchSize: 100)
        defer { world.cleanUp() }
        let tasks = try await ExportFixture.importedTasks(world, count: 3)
        var broken = ExportFixture.annotation(task: tasks[1], label: "x", updated: 5)
        broken.resultJSON = "{not json"
        let refused = await #expect(throws: RPCError.self) {
            _ = try await ExportFixture.put(world, [ExportFixture.annotation(task: tasks[0], label: "x", updated: 5), broken])
        }
        #expect(refused?.code == .invalidArgument)
        #expect(refused?.message.contains("annotations[1] (id \(ExportFixture.annotationID(of: tasks[1])))") == true, "\(String(describing: refused))")
        let unknownTask = await #expect(throws: RPCError.self) {
            _ = try await ExportFixture.put(world, [ExportFixture.annotation(task: 999_999, label: "x", updated: 5)])
        }
        #expect(unknownTask?.message.contains("task 999999 is not a task of project") == true)
        let listed = try await world.admin { try await $0.listTasks(projectID: World.projectID) }
        #expect(listed.allSatisfy { $0.annotationCount == 0 })
    }

    @Test func anExportIntoAnImportsScanIsRefusedNamingTheImport() async throws {
        let world = try await World(staleAfterSeconds: 10, batchSize: 100)
        defer { world.cleanUp() }
        let source = try await world.storage(files: 2, path: "shared")
        let overlapping = FerryV1.CreateStorageRequest(
            spec: FerryV1.StorageSpec(
                projectID: World.projectID, title: "into the import", kind: .export, provider: .local,
                prefix: "exports", synchronizable: true, local: FerryV1.LocalLocation(path: "shared")))
        let refused = await #expect(throws: RPCError.self) {
            _ = try await world.admin { try await $0.createStorage(overlapping) }
        }
        #expect(refused?.code == .failedPrecondition)
        #expect(refused?.message.contains("import storage \(source)") == true, "\(String(describing: refused))")

        // Beside the import's folder it is accepted; moving it under the import is refused again.
        let beside = try await Self.exportStorage(world, path: "elsewhere")
        let moved = await #expect(throws: RPCError.self) {
            _ = try await world.admin {
                try await $0.unary(
                    Methods.updateStorage,
                    FerryV1.UpdateStorageRequest(
                        id: beside, spec: FerryV1.StorageSpec(local: FerryV1.LocalLocation(path: "shared")),
                        updateMask: ["local"]),
                    as: FerryV1.UpdateStorageResponse.self)
            }
        }
        #expect(moved?.message.contains("import storage \(source)") == true, "\(String(describing: moved))")
    }

    @Test func killNineMidExportOfTwentyThousandTimesOutAndTheNextExportLeavesEachObjectOnceAndCurrent() async throws {
        let world = try await World(staleAfterSeconds: 3, batchSize: 100)
        defer { world.cleanUp() }
        let tasks = try await ExportFixture.importedTasks(world, count: 20_000)
        #expect(tasks.count == 20_000)
        try await ExportFixture.put(world, tasks.map { ExportFixture.annotation(task: $0, label: "cat", updated: 100) })
        let storage = try await Self.exportStorage(world, path: "fault")
        let job = try await world.admin { try await $0.startSync(storage) }.jobID

        let moved = try await waitUntil(timeout: .seconds(60), every: .milliseconds(20)) {
            ((try? await world.admin { try await $0.listed(storage) })?.sync?.lastSyncCount ?? 0) > 100
        }
        try #require(moved, "the export made no progress; worker log:\n\(world.worker.log)")
        world.worker.kill9()
        let failed = try await world.waitForStatus(storage, in: [.failed, .completed], timeout: .seconds(30))
        #expect(failed.sync?.status == .failed && failed.sync?.meta?.terminationReason == .heartbeatTimeout)
        #expect(failed.sync?.traceback.contains(job) == true, "\(failed.sync?.traceback ?? "")")
        let acknowledged = try #require(failed.sync?.lastSyncCount)
        #expect(acknowledged > 0 && acknowledged < 20_000, "killed mid-export: \(acknowledged) acknowledged")

        // Annotations change while nobody exports; the next export must write their latest content.
        let late = stride(from: 0, to: 20_000, by: 200).map { tasks[$0] }
        try await ExportFixture.put(world, late.map { ExportFixture.annotation(task: $0, label: "late", updated: 200) })
        try world.worker.start()
        let resumed = try await world.sync(storage, until: [.completed, .failed], timeout: .seconds(240))
        #expect(resumed.sync?.status == .completed, "\(resumed.sync?.traceback ?? "")")
        let rewritten = try #require(resumed.sync?.lastSyncCount)
        // Each object at most once more: the batch in flight at the kill, and the late changes.
        #expect(acknowledged + rewritten >= 20_000)
        #expect(acknowledged + rewritten <= 20_000 + 100 + Int64(late.count), "\(acknowledged) + \(rewritten)")

        let exported = try await Self.exported(world, path: "fault")
        #expect(Set(exported.keys) == Set(tasks), "every task's object exactly once")
        for task in late + [tasks[1], tasks[19_999]] {
            let object = try Self.object(world, path: "fault", task: task)
            let annotations = try #require(object["annotations"] as? [[String: Any]])
            #expect(annotations.map { $0["id"] as? Int64 } == [ExportFixture.annotationID(of: task)])
            #expect("\(annotations)".contains(late.contains(task) ? "late" : "cat"), "task \(task)")
        }
    }
}
