import FerryProto
import FerryRPC
import FerryTestSupport
import Foundation
import Testing

/// `--log-format json`: every line of a real ferryd and worker is one JSON object, and ferryd
/// writes an audit line for each admin action and each refused call, without a secret.
@Suite(.timeLimit(.minutes(3)))
struct JSONLogAndAuditTests {
    @Test func everyLineIsJSONAndAdminActionsAndRefusalsAreAudited() async throws {
        let world = try await World(
            staleAfterSeconds: 30, batchSize: 50,
            serverArguments: ["--log-format", "json"], workerArguments: ["--log-format", "json"])
        defer { world.cleanUp() }
        let files = try await world.storage(files: 20)
        try world.worker.start()
        let synced = try await world.sync(files, until: [.completed, .failed])
        #expect(synced.sync?.status == .completed)
        let secret = FerryServerIntegrationTests.secretValue
        let s3 = try await world.admin { try #require(try await $0.createStorage(FerryServerIntegrationTests.s3Request()).storage) }
        // A worker certificate may not call the storage service; no credentials may not list.
        let refused = try await world.daemon.withClient(.worker) { worker in
            await #expect(throws: RPCError.self) { try await worker.startSync(s3.id) }
            return true
        }
        #expect(refused)
        await #expect(throws: RPCError.self) {
            try await world.daemon.withClient(.anonymous) { try await $0.listStorages() }
        }
        await world.daemon.stop()

        let server = try Self.objects(world.daemon.log)
        let worker = try Self.objects(world.worker.log)
        #expect(worker.contains { $0["message"] as? String == "ferry-worker starting" })
        for line in server + worker {
            #expect(line["time"] is String && line["level"] is String && line["message"] is String && line["label"] is String)
        }
        let audits = server.filter { $0["audit"] as? String == "true" }
        func audit(_ method: String, _ outcome: String, storage: Int64? = nil) -> [String: Any]? {
            audits.first {
                $0["method"] as? String == "ferry.v1.StorageService/\(method)" && $0["outcome"] as? String == outcome
                    && (storage.map { "\($0)" } ?? $0["storage"] as? String) == $0["storage"] as? String
            }
        }
        let created = try #require(audit("CreateStorage", "OK", storage: s3.id), "\(audits)")
        #expect((created["who"] as? String)?.hasPrefix("admin:") == true)
        let started = try #require(audit("StartSync", "OK", storage: files))
        #expect((started["job"] as? String)?.hasPrefix("job-") == true)
        let denied = try #require(audit("StartSync", "PERMISSION_DENIED"), "\(audits)")
        #expect((denied["who"] as? String)?.hasPrefix("worker:") == true)
        #expect(audit("ListStorages", "UNAUTHENTICATED") != nil, "\(audits)")
        #expect(!audits.contains { $0["method"] as? String == "ferry.v1.StorageService/GetStorage" }, "reads are not audited")
        #expect(!world.daemon.log.contains(secret), "a secret reached the log")
    }

    /// Each line of a log as a JSON object; a line that is not one fails.
    static func objects(_ log: String) throws -> [[String: Any]] {
        try log.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not a JSON object: \(line)")
        }
    }
}
