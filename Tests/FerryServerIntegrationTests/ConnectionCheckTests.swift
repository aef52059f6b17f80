import FerryProto
import FerryRPC
import Foundation
import Testing

/// `validate` on create and update: a connected worker lists the location and reads one object
/// before anything is saved; real ferryd, ferry-worker and ferryctl processes.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct ConnectionCheckTests {
    static func request(path: String, validate: Bool) -> FerryV1.CreateStorageRequest {
        FerryV1.CreateStorageRequest(
            spec: FerryV1.StorageSpec(
                projectID: World.projectID, title: path, kind: .import, provider: .local, synchronizable: true,
                local: FerryV1.LocalLocation(path: path)),
            validate: validate)
    }

    @Test func aWorkerChecksTheLocationAndAFailureSavesNothingAndNamesTheField() async throws {
        let world = try await World(staleAfterSeconds: 10, batchSize: 10)
        defer { world.cleanUp() }
        let root = world.daemon.localFilesRoot
        try FileManager.default.createDirectory(atPath: root + "/good", withIntermediateDirectories: true)
        try Data(#"{"text":"a"}"#.utf8).write(to: URL(fileURLWithPath: root + "/good/a.json"))
        // A file the worker refuses to read (over the object size limit; sparse, so it costs nothing).
        try FileManager.default.createDirectory(atPath: root + "/huge", withIntermediateDirectories: true)
        let huge = try FileHandle(forWritingTo: URL(fileURLWithPath: root + "/huge/big.json", isDirectory: false).creatingFile())
        try huge.truncate(atOffset: 300 * 1024 * 1024)
        try huge.close()
        try world.worker.start()

        // ferryctl validates by default: the worker takes the check within its first poll.
        let created = try await world.ferryctl([
            "storage", "create", "--project", "\(World.projectID)", "--title", "good", "--kind", "import",
            "--provider", "local", "--path", "good",
        ])
        #expect(created.contains("good"), "\(created)")

        let (status, refusal) = try await world.runFerryctl([
            "storage", "create", "--project", "\(World.projectID)", "--title", "huge", "--kind", "import",
            "--provider", "local", "--path", "huge",
        ])
        #expect(status == 1)
        #expect(refusal.contains("FAILED_PRECONDITION: local.path: the connection check on worker worker-1 failed: big.json: is 314572800 bytes"), "\(refusal)")

        let titles = try await world.admin { try await $0.listStorages().storages.map { $0.spec?.title ?? "" } }
        #expect(titles == ["good"], "a failed check saved the storage")
        // Without validation the same storage is saved as it is.
        let saved = try await world.admin { try await $0.createStorage(Self.request(path: "huge", validate: false)) }
        #expect(saved.storage?.spec?.title == "huge")
    }

    @Test func withNoWorkerTheCheckIsUnavailableAndNothingIsSaved() async throws {
        let world = try await World(staleAfterSeconds: 10, batchSize: 10)
        defer { world.cleanUp() }
        try FileManager.default.createDirectory(atPath: world.daemon.localFilesRoot + "/good", withIntermediateDirectories: true)
        let error = try await #require(throws: RPCError.self) {
            try await world.admin { try await $0.createStorage(Self.request(path: "good", validate: true)) }
        }
        #expect(error.code == .unavailable)
        #expect(error.message.contains("no connected worker offers local"), "\(error.message)")
        #expect(try await world.admin { try await $0.listStorages().storages.isEmpty })
    }
}

extension URL {
    /// The URL, after creating an empty file there.
    fileprivate func creatingFile() -> URL {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        return self
    }
}
