import FerryCore
import FerryTestSupport
import Foundation
import Logging
import Testing

@testable import FerryStore

/// A stand-in for the server's AES-256-GCM sealer: reversible, bound to its associated data, and
/// never leaving the plaintext readable in the file (each byte is XORed with a running keystream).
struct TestSealer: SecretSealer {
    struct Failure: Error {}

    /// Makes every `seal` throw, to test that a failure mid-transaction leaves nothing behind.
    var failsToSeal = false

    private static let magic: [UInt8] = Array("TSEAL1".utf8)

    func seal(_ plaintext: [UInt8], associatedData: [UInt8]) throws -> [UInt8] {
        if self.failsToSeal { throw Failure() }
        return Self.magic + [UInt8(associatedData.count)] + associatedData + Self.mask(plaintext)
    }

    func open(_ sealed: [UInt8], associatedData: [UInt8]) throws -> [UInt8] {
        let header = Self.magic.count
        guard sealed.count > header, Array(sealed.prefix(header)) == Self.magic else { throw Failure() }
        let aadCount = Int(sealed[header])
        let aadEnd = header + 1 + aadCount
        guard sealed.count >= aadEnd, Array(sealed[(header + 1)..<aadEnd]) == associatedData else { throw Failure() }
        return Self.mask(Array(sealed[aadEnd...]))
    }

    private static func mask(_ bytes: [UInt8]) -> [UInt8] {
        bytes.enumerated().map { index, byte in byte ^ UInt8(truncatingIfNeeded: 0xA5 &+ index &* 31) }
    }
}

/// A temporary directory with a database path in it, removed by ``remove()``.
struct TestDatabase {
    let directory: URL
    var path: String { self.directory.appendingPathComponent("ferry.sqlite").path }

    init() throws {
        self.directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("ferry-store-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)
    }

    /// Opens a store on the file. Tests wait longer for a lock than the server does: two stores
    /// on one file contend for it, and a loaded test machine may hold it for seconds.
    func open(sealer: TestSealer = TestSealer()) async throws -> SQLiteFerryStore {
        try await SQLiteFerryStore.open(
            path: self.path, sealer: sealer, configuration: .init(busyTimeoutMilliseconds: 60_000), logger: testLogger)
    }

    func remove() {
        try? FileManager.default.removeItem(at: self.directory)
    }
}

/// Runs `body` against a fresh store in its own temporary database file, then closes and removes it.
func withStore<T>(_ body: (SQLiteFerryStore, TestDatabase) async throws -> T) async throws -> T {
    let database = try TestDatabase()
    defer { database.remove() }
    let store = try await database.open()
    do {
        let value = try await body(store, database)
        try await store.close()
        return value
    } catch {
        try? await store.close()
        throw error
    }
}

/// The stores the contract suites run against: each test of those suites runs once per kind.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { self.rawValue }
}

/// What the contract suites need of a store besides ``FerryStore``: raw SQL (in the dialect both
/// stores share) for states the API cannot make, and the stored bytes for grepping.
protocol StoreUnderTest: FerryStore {
    /// Runs a statement in a write transaction.
    func sqlExecute(_ sql: String) async throws
    /// Runs a query; the first column of every row, as text.
    func sqlStrings(_ sql: String) async throws -> [String]
    /// Every byte the store keeps of its storages, as stored, for grepping.
    func bytesAtRest() async throws -> [UInt8]
}

extension SQLiteFerryStore: StoreUnderTest {
    func sqlExecute(_ sql: String) async throws {
        try await self._testOnly_execute(sql)
    }

    func sqlStrings(_ sql: String) async throws -> [String] {
        try await self._testOnly_strings(sql)
    }

    /// Every byte of the database file and its WAL.
    func bytesAtRest() async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for suffix in ["", "-wal", "-shm"] {
            if let data = FileManager.default.contents(atPath: self.path + suffix) {
                bytes += Array(data)
            }
        }
        return bytes
    }
}

extension PostgresFerryStore: StoreUnderTest {
    func sqlExecute(_ sql: String) async throws {
        try await self._testOnly_execute(sql)
    }

    func sqlStrings(_ sql: String) async throws -> [String] {
        try await self._testOnly_strings(sql)
    }

    /// Every storage row as text, and its sealed secrets' bytes as they are.
    func bytesAtRest() async throws -> [UInt8] {
        let rows = try await self._testOnly_strings(
            "SELECT s::TEXT || encode(COALESCE(s.secrets_sealed, ''::BYTEA), 'escape') FROM storages s")
        return Array(rows.joined(separator: "\n").utf8)
    }
}

/// Opens a PostgreSQL store on a fresh database of the tests' shared cluster.
func openPostgresStore(url: String? = nil, sealer: TestSealer = TestSealer()) async throws -> PostgresFerryStore {
    let databaseURL: String
    if let url {
        databaseURL = url
    } else {
        databaseURL = try await PostgresServer.shared().createDatabase()
    }
    return try await PostgresFerryStore.open(
        url: databaseURL, sealer: sealer, configuration: .init(maximumConnections: 6), logger: testLogger)
}

/// The store tests' logger: silent.
let testLogger = Logger(label: "ferry.store.tests") { _ in SwiftLogNoOpLogHandler() }

/// Runs `body` against a fresh store of `kind` (its own database), then closes it.
func withStore<T>(_ kind: StoreKind, _ body: (any StoreUnderTest) async throws -> T) async throws -> T {
    switch kind {
    case .sqlite:
        return try await withStore { store, _ in try await body(store) }
    case .postgres:
        let store = try await openPostgresStore()
        do {
            let value = try await body(store)
            try await store.close()
            return value
        } catch {
            try? await store.close()
            throw error
        }
    }
}

/// Shared values for the store tests.
enum Fixture {
    /// 2024-05-01T12:00:00Z.
    static let t0 = FerryTime(unixMicroseconds: 1_714_564_800_000_000)

    static func settings(
        project: Int64 = 1,
        title: String = "bucket",
        location: StorageLocation = .s3(S3Location(bucket: "data", region: "eu-west-1"))
    ) -> StorageSettings {
        StorageSettings(
            projectID: project,
            title: title,
            description: "test storage",
            synchronizable: true,
            location: location,
            prefix: "in/",
            regexFilter: ".*\\.json",
            recursiveScan: true,
            presignTTL: .minutes(15)
        )
    }

    static let secrets = StorageSecrets([
        "access_key_id": "AKIAPLAINTEXTKEY0001",
        "secret_access_key": "s3cr3t-PLAINTEXT-value-do-not-leak",
    ])

    /// Creates a storage.
    static func storage(
        _ store: some FerryStore,
        kind: StorageKind = .import,
        project: Int64 = 1,
        title: String = "bucket",
        location: StorageLocation = .s3(S3Location(bucket: "data")),
        secrets: StorageSecrets = .none
    ) async throws -> Storage {
        try await store.createStorage(
            kind: kind,
            settings: settings(project: project, title: title, location: location),
            secrets: secrets,
            now: t0
        )
    }

    /// Creates a storage, starts a sync and claims it; returns the claim.
    static func runningJob(
        _ store: some FerryStore,
        kind: StorageKind = .import,
        worker: String = "worker-a",
        instance: String = "inst-1",
        job: String = "job-1",
        at time: FerryTime = t0
    ) async throws -> (storage: Storage, claim: ClaimedJob) {
        let storage = try await Self.storage(store, kind: kind)
        _ = try await store.startSync(storageID: storage.id, options: .default, now: time, jobID: job)
        let claim = try #require(
            try await store.claimJob(
                workerID: worker,
                instanceID: instance,
                kinds: [],
                providers: [],
                now: time,
                leaseToken: "lease-\(job)"
            )
        )
        return (storage, claim)
    }

    static func tasks(_ key: String, rows: Int) -> [NewTask] {
        (0..<rows).map { NewTask(key: key, rowIndex: Int64($0), data: #"{"text":"\#(key) row \#($0)"}"#) }
    }
}

/// Expects `body` to throw a ``StoreError`` with `code`, and returns it.
@discardableResult
func expectStoreError(
    _ code: StoreError.Code,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> Void
) async -> StoreError? {
    do {
        try await body()
        Issue.record("Expected StoreError \(code), but nothing was thrown", sourceLocation: sourceLocation)
        return nil
    } catch let error as StoreError {
        #expect(error.code == code, "\(error.debugDescription)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("Expected StoreError \(code), got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
