import FerryCore
@testable import FerryProviders
import FerryTestSupport
import Foundation
import Testing

/// The Redis provider against real `redis-server` processes on loopback ports: one per test,
/// with and without a password, with ACL users, TLS and a non-zero database.
@Suite(.timeLimit(.minutes(2)))
struct RedisObjectStoreTests {
    private static func store(
        _ server: RedisServerProcess, port: Int? = nil, prefix: String = "tasks/", recursive: Bool = true,
        database: Int = 0, useTLS: Bool = false, secrets: [String: String] = [:],
        options: RedisObjectStore.Options = RedisObjectStore.Options(scanCount: 5), parallelism: Int = 4
    ) throws -> RedisObjectStore {
        try RedisObjectStore(
            target: ProviderTarget(
                location: .redis(RedisLocation(host: "127.0.0.1", port: port ?? server.port, database: database, useTLS: useTLS)),
                prefix: prefix, recursive: recursive, secrets: StorageSecrets(secrets)),
            context: ProviderContext(localFilesRoot: nil, parallelism: parallelism),
            options: options)
    }

    /// Every page of a listing.
    private static func pages(_ store: RedisObjectStore, pageSize: Int) async throws -> [[String]] {
        let lister = try store.makeLister()
        var pages: [[String]] = []
        while let page = try await lister.next(maxCount: pageSize) { pages.append(page.map(\.key)) }
        return pages
    }

    /// Runs `body`, expecting a ``ProviderError``, and returns it.
    private static func providerError(_ body: () async throws -> Void) async -> ProviderError? {
        do {
            try await body()
        } catch let error as ProviderError {
            return error
        } catch {
            Issue.record("not a ProviderError: \(error)")
        }
        return nil
    }

    private static let taskKeys = (0..<23).map { "tasks/t\($0).json" } + ["tasks/sub/deep.json", "tasks/sub/x/y.jsonl"]

    private static func loadTasks(_ server: RedisServerProcess) async throws {
        try await server.load(
            taskKeys.map { ["SET", $0, #"{"text":"\#($0)"}"#] } + [
                ["SET", "other/t0.json", "{}"],
                ["SET", "tasksX", "{}"],
            ])
    }

    @Test func listsInPagesSmallerThanTheKeyCountOnlyUnderThePrefix() async throws {
        let server = try await RedisServerProcess.start()
        defer { server.stop() }
        try await Self.loadTasks(server)

        let pages = try await Self.pages(try Self.store(server), pageSize: 3)
        #expect(pages.count >= 9)
        #expect(pages.allSatisfy { (1...3).contains($0.count) })
        let keys = pages.flatMap { $0 }
        #expect(keys.sorted() == Self.taskKeys.sorted())

        let shallow = try await Self.pages(try Self.store(server, recursive: false), pageSize: 100).flatMap { $0 }
        #expect(shallow.sorted() == Self.taskKeys.filter { !$0.dropFirst(6).contains("/") }.sorted())
    }

    @Test func globCharactersInThePrefixMatchThemselves() async throws {
        let server = try await RedisServerProcess.start()
        defer { server.stop() }
        try await server.load([["SET", #"we[ir]d*?\/a"#, "1"], ["SET", #"weid*?\/b"#, "2"], ["SET", "werdXY/c", "3"]])
        let keys = try await Self.pages(try Self.store(server, prefix: #"we[ir]d*?\/"#), pageSize: 10).flatMap { $0 }
        #expect(keys == [#"we[ir]d*?\/a"#])
        #expect(try Self.store(server).blobURL(for: "tasks/a b/ü.json") == "redis://127.0.0.1:\(server.port)/0/tasks/a%20b/%C3%BC.json")
    }

    @Test func readsWritesAndDeletesWithPipelinedGets() async throws {
        let server = try await RedisServerProcess.start()
        defer { server.stop() }
        try await Self.loadTasks(server)
        let store = try Self.store(server)

        let loaded = try await store.read(Self.taskKeys)
        #expect(loaded.map(\.key) == Self.taskKeys)
        #expect(loaded.map { String(decoding: $0.bytes, as: UTF8.self) } == Self.taskKeys.map { #"{"text":"\#($0)"}"# })

        let binary: [UInt8] = [0, 13, 10, 255, 36, 42]
        let written = try await store.write(key: "tasks/new.bin", bytes: binary, contentType: "application/octet-stream")
        #expect(written.key == "tasks/new.bin")
        #expect(try await store.read(["tasks/new.bin"]).first?.bytes == binary)
        #expect(try await Self.pages(store, pageSize: 100).flatMap { $0 }.contains("tasks/new.bin"))

        try await store.delete(key: "tasks/new.bin")
        try await store.delete(key: "tasks/new.bin")  // Deleting what is gone succeeds.
        let gone = await Self.providerError { _ = try await store.read(["tasks/t1.json", "tasks/new.bin"]) }
        #expect(gone?.subject == "tasks/new.bin")
        #expect(gone?.message.contains("no longer exists") == true, "\(String(describing: gone))")
    }

    @Test func aKeyOfAnotherTypeIsNamedWithItsType() async throws {
        let server = try await RedisServerProcess.start()
        defer { server.stop() }
        try await server.load([["HSET", "tasks/h", "field", "value"], ["SET", "tasks/s", "{}"]])
        let error = await Self.providerError { _ = try await Self.store(server).read(["tasks/s", "tasks/h"]) }
        #expect(error?.subject == "tasks/h")
        #expect(error?.code == "WRONGTYPE")
        #expect(error?.message.contains("hash") == true, "\(String(describing: error))")
    }

    @Test func passwordLoginAndItsRefusals() async throws {
        let server = try await RedisServerProcess.start(password: "s3cret")
        defer { server.stop() }
        try await Self.loadTasks(server)

        let keys = try await Self.pages(try Self.store(server, secrets: ["password": "s3cret"]), pageSize: 100)
        #expect(keys.flatMap { $0 }.count == Self.taskKeys.count)

        let wrong = await Self.providerError {
            _ = try await Self.store(server, secrets: ["password": "nope"]).makeLister().next(maxCount: 10)
        }
        #expect(wrong?.code == "WRONGPASS")
        #expect(wrong?.subject == "redis://127.0.0.1:\(server.port)/0")
        #expect(wrong.map { "\($0)" }?.contains("nope") == false, "the password leaked into the error")

        let none = await Self.providerError { _ = try await Self.store(server).read(["tasks/t0.json"]) }
        #expect(none?.code == "NOAUTH")
        #expect(none?.subject == "tasks/t0.json")
    }

    @Test func aclUserWithUsernameAndPasswordInANonZeroDatabase() async throws {
        let server = try await RedisServerProcess.start(
            password: "admin",
            arguments: [
                "--user", "alice", "on", ">wonder", "~*", "&*", "+@all",
                "--user", "bob", "on", ">builder", "~other/*", "+@all",
            ])
        defer { server.stop() }
        try await server.load([["SELECT", "3"], ["SET", "tasks/in-three.json", "{}"], ["SELECT", "0"], ["SET", "tasks/in-zero.json", "{}"]])

        let alice = try Self.store(server, database: 3, secrets: ["username": "alice", "password": "wonder"])
        #expect(try await Self.pages(alice, pageSize: 10) == [["tasks/in-three.json"]])
        #expect(try await alice.read(["tasks/in-three.json"]).first?.bytes == Array("{}".utf8))

        let wrong = await Self.providerError {
            _ = try await Self.store(server, secrets: ["username": "alice", "password": "wonderful"])
                .makeLister().next(maxCount: 10)
        }
        #expect(wrong?.code == "WRONGPASS")
        #expect(wrong?.message.contains("AUTH with the username and password refused") == true, "\(String(describing: wrong))")
        #expect(wrong.map { "\($0)" }?.contains("alice") == false, "the username leaked into the error")

        let bob = try Self.store(server, secrets: ["username": "bob", "password": "builder"])
        let denied = await Self.providerError { _ = try await bob.read(["tasks/in-zero.json"]) }
        #expect(denied?.code == "NOPERM")
        #expect(denied?.subject == "tasks/in-zero.json")

        let usernameAlone = await Self.providerError { _ = try Self.store(server, secrets: ["username": "alice"]) }
        #expect(usernameAlone?.message.contains("needs a password") == true)
    }

    @Test func connectionRefusedIsReadable() async throws {
        try await RefusingPort.with { ports in
            let store = try RedisObjectStore(
                target: ProviderTarget(location: .redis(RedisLocation(host: "127.0.0.1", port: ports[0]))),
                context: ProviderContext(localFilesRoot: nil))
            let error = await Self.providerError { _ = try await store.makeLister().next(maxCount: 1) }
            #expect(error?.subject == "redis://127.0.0.1:\(ports[0])/0")
            #expect(error?.message.contains("cannot connect: Connection refused") == true, "\(String(describing: error))")
        }
    }

    @Test func aValuePastTheLimitIsRefusedNamingItsKeyAndTheNextReadConnectsAgain() async throws {
        let server = try await RedisServerProcess.start()
        defer { server.stop() }
        let limit = 1_000
        try await server.load([
            ["SET", "tasks/exact", String(repeating: "e", count: limit)],
            ["SET", "tasks/over", String(repeating: "o", count: limit + 1)],
        ])
        var options = RedisObjectStore.Options()
        options.maxValueBytes = limit
        let store = try Self.store(server, options: options)

        let error = await Self.providerError { _ = try await store.read(["tasks/exact", "tasks/over"]) }
        #expect(error?.subject == "tasks/over")
        #expect(error?.message.contains("is larger than 1000 bytes") == true, "\(String(describing: error))")
        #expect(try await store.read(["tasks/exact"]).first?.bytes.count == limit)
    }

    @Test func aConnectionTheServerDroppedIsOpenedAgain() async throws {
        let server = try await RedisServerProcess.start()
        defer { server.stop() }
        try await Self.loadTasks(server)
        let store = try Self.store(server)
        #expect(try await store.read(["tasks/t0.json"]).count == 1)
        try await server.load([["CLIENT", "KILL", "TYPE", "normal"]])
        #expect(try await store.read(["tasks/t1.json"]).count == 1)
    }

    @Test func aCommandWithoutReplyTimesOut() async throws {
        let server = try await RedisServerProcess.start()
        defer { server.stop() }
        try await Self.loadTasks(server)
        let store = try Self.store(server, options: RedisObjectStore.Options(commandTimeout: .milliseconds(300)))
        server.suspend()
        let error = await Self.providerError { _ = try await store.read(["tasks/t0.json"]) }
        #expect(error?.subject == "tasks/t0.json")
        #expect(error?.message.contains("no reply within 0.3 s") == true, "\(String(describing: error))")
    }

    @Test func tlsWithTheServersCAAndWithout() async throws {
        let pki = TestPKI.shared
        let server = try await RedisServerProcess.start(
            tls: .init(certificate: pki.serverCertificate, key: pki.serverKey, ca: pki.caPath))
        defer { server.stop() }
        try await Self.loadTasks(server)

        let trusted = try Self.store(
            server, useTLS: true, options: RedisObjectStore.Options(scanCount: 5, trustedCAFile: pki.caPath))
        #expect(try await Self.pages(trusted, pageSize: 100).flatMap { $0 }.count == Self.taskKeys.count)
        #expect(trusted.blobURL(for: "tasks/a").hasPrefix("rediss://127.0.0.1:"))

        let untrusted = try Self.store(server, useTLS: true)
        let error = await Self.providerError { _ = try await untrusted.makeLister().next(maxCount: 1) }
        #expect(
            error?.message.hasSuffix("failed: TLS handshake failed: CERTIFICATE_VERIFY_FAILED") == true,
            "\(String(describing: error))")
    }
}
