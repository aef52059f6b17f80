import FerryTestSupport
import Foundation
import Testing

/// `ferryd migrate`: migrates the database and exits, says so, does nothing the second time, and
/// refuses (like `ferryd` itself) a database written by a newer build.
@Suite(.timeLimit(.minutes(2)))
struct MigrateCommandTests {
    @Test func migrateBringsTheDatabaseToTheSchemaOnceAndRefusesANewerOne() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-migrate-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let database = directory + "/ferry.db"

        let first = try await SettingsStrictnessTests.run(
            "ferryd", ["migrate", "--database-path", database], includingOutput: true)
        #expect(first.status == 0, "\(first.stderr)")
        let migrated = try #require(first.stderr.firstMatch(of: /migrated from schema version 0 to (\d+)/), "\(first.stderr)")
        let version = try #require(Int(migrated.1))
        #expect(version >= 5)

        let second = try await SettingsStrictnessTests.run(
            "ferryd", ["migrate", "--database-path", database], includingOutput: true)
        #expect(second.status == 0)
        #expect(second.stderr.contains("schema version \(version), nothing to migrate"), "\(second.stderr)")

        // A newer build's migration recorded in the file: both commands refuse it, naming the versions.
        try await Self.recordMigration(version: version + 1, in: database)
        let refused = try await SettingsStrictnessTests.run(
            "ferryd", ["migrate", "--database-path", database], includingOutput: true)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("schema version \(version + 1)"), "\(refused.stderr)")
        let serving = try await SettingsStrictnessTests.run(
            "ferryd", SettingsStrictnessTests.tls + ["--listen", "127.0.0.1:0", "--database-path", database])
        #expect(serving.status == 1)
        #expect(serving.stderr.contains("knows versions up to \(version)"), "\(serving.stderr)")
    }

    @Test func aMisspeltFlagStopsMigrateToo() async throws {
        let (status, stderr) = try await SettingsStrictnessTests.run("ferryd", ["migrate", "--databse-path", "x.db"])
        #expect(status == 2)
        #expect(stderr.contains("databse"), "\(stderr)")
    }

    /// Writes a migration row as a newer ferryd would, with Python's sqlite3 (installed for the tests).
    static func recordMigration(version: Int, in database: String) async throws {
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = [
            "python3", "-c",
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
                + "c.execute('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, 0)', (int(sys.argv[2]), 'from the future')); "
                + "c.commit()",
            database, "\(version)",
        ]
        let output = TestProcesses.pipe()
        python.standardOutput = output
        python.standardError = output
        try TestProcesses.run(python)
        let (status, text) = try await TestProcesses.finish(python, reading: output, within: .seconds(60))
        try #require(status == 0, "\(text)")
    }
}
