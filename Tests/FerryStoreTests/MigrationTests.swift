import FerryCore
import Testing

@testable import FerryStore

@Suite("Migrations and durability")
struct MigrationTests {
    @Test("migrations apply at open, and re-opening applies nothing twice")
    func migrationsApplyAndReopenIsIdempotent() async throws {
        let database = try TestDatabase()
        defer { database.remove() }

        let first = try await database.open()
        #expect(first.schemaVersion == SQLiteFerryStore.latestSchemaVersion)
        #expect(SQLiteFerryStore.latestSchemaVersion >= 1)
        let created = try await Fixture.storage(first)
        try await first.close()

        let second = try await database.open()
        #expect(second.schemaVersion == SQLiteFerryStore.latestSchemaVersion)
        let versions = try await second._testOnly_strings("SELECT version FROM schema_migrations ORDER BY version")
        #expect(versions == (1...SQLiteFerryStore.latestSchemaVersion).map(String.init))
        #expect(try await second.storage(id: created.id) == created)
        // Durability settings of the writer: WAL, fsync on every commit, foreign keys enforced.
        #expect(try await second._testOnly_strings("PRAGMA journal_mode", onWriter: true) == ["wal"])
        #expect(try await second._testOnly_strings("PRAGMA synchronous", onWriter: true) == ["2"])
        #expect(try await second._testOnly_strings("PRAGMA foreign_keys", onWriter: true) == ["1"])
        #expect(try await second._testOnly_strings("PRAGMA query_only") == ["1"])
        try await second.close()
    }

    @Test("a database whose schema is newer than this build is refused with a clear error")
    func tooNewSchemaIsRefused() async throws {
        let database = try TestDatabase()
        defer { database.remove() }

        let store = try await database.open()
        try await store._testOnly_execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'from the future', 0)"
        )
        try await store.close()

        let error = await expectStoreError(.unsupportedSchema) {
            let reopened = try await database.open()
            try await reopened.close()
        }
        #expect(error?.message.contains("999") == true)
        #expect(error?.message.contains("newer") == true)
    }

    @Test("closing and re-opening serves the same storages, jobs, verdicts and tasks")
    func closeAndReopenKeepsEverything() async throws {
        let database = try TestDatabase()
        defer { database.remove() }

        let store = try await database.open()
        let (storage, claim) = try await Fixture.runningJob(store)
        let imported = try await store.importTasks(
            lease: claim.lease,
            tasks: Fixture.tasks("a.json", rows: 3),
            checkpoint: SyncCheckpoint(lastKey: "a.json", state: [1, 2, 3]),
            now: Fixture.t0
        )
        let settled = try await store.completeJob(
            lease: claim.lease,
            outcome: .completed,
            counters: SyncCounters(synced: 3),
            now: Fixture.t0 + .seconds(5)
        )
        let other = try await Fixture.storage(store, title: "second", secrets: Fixture.secrets)
        let started = try await store.startSync(
            storageID: other.id,
            options: SyncOptions(onlyNew: true),
            now: Fixture.t0,
            jobID: "job-2"
        )
        let beforeStorage = try await store.storage(id: storage.id)
        let beforeOther = try await store.storage(id: other.id)
        let beforeJob = try await store.job(id: claim.job.id)
        try await store.close()
        await expectStoreError(.closed) { _ = try await store.storage(id: storage.id) }

        let reopened = try await database.open()
        #expect(try await reopened.storage(id: storage.id) == beforeStorage)
        #expect(beforeStorage.syncInfo == settled)
        #expect(try await reopened.storage(id: other.id) == beforeOther)
        #expect(try await reopened.secrets(of: other.id) == Fixture.secrets)
        #expect(try await reopened.job(id: claim.job.id) == beforeJob)
        #expect(beforeJob?.state == .succeeded)
        #expect(beforeJob?.checkpoint?.state == [1, 2, 3])
        #expect(try await reopened.job(id: "job-2")?.options.onlyNew == true)
        #expect(started.jobID == "job-2")
        let tasks = try await reopened.listTasks(projectID: 1, storageID: nil, afterID: 0, limit: 100)
        #expect(tasks.map(\.id) == imported.created.map(\.taskID))
        try await reopened.close()
    }
}
