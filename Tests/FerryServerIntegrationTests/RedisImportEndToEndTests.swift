import FerryProto
import FerryRPC
import FerryTestSupport
import Foundation
import Testing

/// A Redis import storage synced by real `ferryd` and `ferry-worker` processes, from a real
/// `redis-server` on a loopback port.
@Suite(.serialized, .timeLimit(.minutes(12)))
struct RedisImportEndToEndTests {
    /// Creates an import storage over `prefix` in database 0 of `server`.
    private static func redisStorage(
        _ world: World, server: RedisServerProcess, prefix: String, password: String?, useBlobURLs: Bool = false
    ) async throws -> Int64 {
        let request = FerryV1.CreateStorageRequest(
            spec: FerryV1.StorageSpec(
                projectID: World.projectID, title: "redis e2e", kind: .import, provider: .redis, prefix: prefix,
                recursiveScan: true, useBlobURLs: useBlobURLs, synchronizable: true,
                redis: FerryV1.RedisLocation(host: "127.0.0.1", port: Int32(server.port))),
            credentials: password.map { [FerryV1.Secret(name: "password", value: $0)] } ?? [])
        return try await world.admin { try #require(try await $0.createStorage(request).storage).id }
    }

    @Test func jsonListsAndLinesImportOnceAndANewKeyOnTheNextSync() async throws {
        let server = try await RedisServerProcess.start(password: "pass word")
        defer { server.stop() }
        let many = (0..<1_500).map { ["SET", "tasks/many/t\($0).json", #"{"text":"task \#($0)"}"#] }
        let rows = (0..<4).map { #"{"row":\#($0)}"# }.joined(separator: "\n")
        try await server.load(many + [
            ["SET", "tasks/one.json", #"{"text":"one"}"#],
            ["SET", "tasks/list.json", #"[{"n":0},{"n":1},{"n":2}]"#],
            ["SET", "tasks/rows.jsonl", rows],
            ["SET", "elsewhere/outside.json", #"{"text":"not under the prefix"}"#],
        ])
        let expectedTasks: Int64 = 1_500 + 1 + 3 + 4
        let world = try await World(staleAfterSeconds: 10, batchSize: 100)
        defer { world.cleanUp() }
        let storage = try await Self.redisStorage(world, server: server, prefix: "tasks/", password: "pass word")
        try world.worker.start()

        let first = try await world.sync(storage, until: [.completed, .failed])
        #expect(first.sync?.status == .completed, "\(first.sync?.traceback ?? "")")
        #expect(first.sync?.lastSyncCount == expectedTasks)
        #expect(first.sync?.meta?.objectsScanned == 1_503)
        let tasks = try await world.admin { try await $0.listTasks(projectID: World.projectID) }
        let keys = Set(tasks.compactMap { $0.sources.first?.key })
        #expect(keys.contains("tasks/rows.jsonl") && keys.contains("tasks/list.json") && keys.contains("tasks/one.json"))
        #expect(!keys.contains("elsewhere/outside.json"))
        let rowIndexes = tasks.compactMap { $0.sources.first }.filter { $0.key == "tasks/rows.jsonl" }.map(\.rowIndex)
        #expect(Set(rowIndexes) == Set(0..<4))
        let one = tasks.first { $0.sources.first?.key == "tasks/one.json" }
        #expect(one?.dataJSON.contains(#""one""#) == true, "\(String(describing: one?.dataJSON))")

        let second = try await world.sync(storage, until: [.completed, .failed])
        #expect(second.sync?.status == .completed, "\(second.sync?.traceback ?? "")")
        #expect(second.sync?.lastSyncCount == 0)
        #expect(second.sync?.meta?.tasksExisted == 1_503)

        try await server.load([["SET", "tasks/late.json", #"{"text":"late"}"#]])
        let third = try await world.sync(storage, until: [.completed, .failed])
        #expect(third.sync?.lastSyncCount == 1)
        try await world.expectTasks(Int(expectedTasks) + 1)
    }

    @Test func killNineMidSyncOverTwentyThousandKeysTimesOutAndAResyncMakesNoDuplicate() async throws {
        let server = try await RedisServerProcess.start()
        defer { server.stop() }
        try await server.load((0..<20_000).map { ["SET", "big/t\($0).json", #"{"text":"task \#($0)"}"#] })
        let world = try await World(staleAfterSeconds: 3, batchSize: 10)
        defer { world.cleanUp() }
        let storage = try await Self.redisStorage(world, server: server, prefix: "big/", password: nil)
        // The re-sync hands 20,000 keys over 10 at a time: about 90 s alone, more beside other suites.
        try await world.expectKillNineMidSyncTimesOutThenResyncCompletes(
            storage, objects: 20_000, staleAfter: 3, resyncTimeout: .seconds(480))
    }

    @Test func aConnectionCheckWithAWrongPasswordSavesNothingAndNamesTheCredentials() async throws {
        let server = try await RedisServerProcess.start(password: "right")
        defer { server.stop() }
        let world = try await World(staleAfterSeconds: 10, batchSize: 100)
        defer { world.cleanUp() }
        try world.worker.start()
        let location = FerryV1.RedisLocation(host: "127.0.0.1", port: Int32(server.port))
        let spec = FerryV1.StorageSpec(
            projectID: World.projectID, title: "checked", kind: .import, provider: .redis, prefix: "tasks/",
            synchronizable: true, redis: location)
        let error = try await #require(throws: RPCError.self) {
            try await world.admin {
                try await $0.createStorage(
                    FerryV1.CreateStorageRequest(
                        spec: spec, credentials: [FerryV1.Secret(name: "password", value: "wrong")], validate: true))
            }
        }
        #expect(error.code == .failedPrecondition)
        #expect(error.message.hasPrefix("credentials: the connection check on worker worker-1 failed"), "\(error.message)")
        #expect(error.message.contains("WRONGPASS"), "\(error.message)")
        #expect(try await world.admin { try await $0.listStorages().storages.isEmpty })
        let saved = try await world.admin {
            try await $0.createStorage(
                FerryV1.CreateStorageRequest(
                    spec: spec, credentials: [FerryV1.Secret(name: "password", value: "right")], validate: true))
        }
        #expect(saved.storage?.spec?.title == "checked")
    }

    @Test func blobURLsPointAtTheKeyWithoutReadingIt() async throws {
        let server = try await RedisServerProcess.start()
        defer { server.stop() }
        try await server.load([["SET", "media/photo one.jpg", "\u{FF}\u{D8}"], ["HSET", "media/not-a-string", "f", "v"]])
        let world = try await World(staleAfterSeconds: 10, batchSize: 100)
        defer { world.cleanUp() }
        let storage = try await Self.redisStorage(world, server: server, prefix: "media/", password: nil, useBlobURLs: true)
        try world.worker.start()

        let done = try await world.sync(storage, until: [.completed, .failed])
        #expect(done.sync?.status == .completed, "\(done.sync?.traceback ?? "")")
        let urls = try await world.admin { try await $0.listTasks(projectID: World.projectID) }.map(\.dataJSON).sorted()
        #expect(urls == [
            #"{"url":"redis://127.0.0.1:\#(server.port)/0/media/not-a-string"}"#,
            #"{"url":"redis://127.0.0.1:\#(server.port)/0/media/photo%20one.jpg"}"#,
        ])
    }

    @Test func aWrongPasswordFailsTheSyncNamingTheStorageAndWRONGPASS() async throws {
        let server = try await RedisServerProcess.start(password: "right")
        defer { server.stop() }
        try await server.load([["SET", "tasks/one.json", #"{"text":"one"}"#]])
        let world = try await World(staleAfterSeconds: 10, batchSize: 100)
        defer { world.cleanUp() }
        let storage = try await Self.redisStorage(world, server: server, prefix: "tasks/", password: "hunter2")
        try world.worker.start()

        let failed = try await world.sync(storage, until: [.failed, .completed])
        #expect(failed.sync?.status == .failed)
        let traceback = failed.sync?.traceback ?? ""
        #expect(traceback.contains("redis://127.0.0.1:\(server.port)/0"), "\(traceback)")
        #expect(traceback.contains("WRONGPASS"), "\(traceback)")
        #expect(!traceback.contains("hunter2"), "the password is in the traceback: \(traceback)")
        #expect(try await world.taskCount() == 0)
    }
}
