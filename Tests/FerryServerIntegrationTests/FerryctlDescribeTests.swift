import FerryProto
import Foundation
import Testing

/// `ferryctl storage describe` against a real ferryd and worker: a failed sync shows its status,
/// reason, job, worker, times and traceback, and `-o json` is the whole storage with RFC 3339 times.
@Suite(.timeLimit(.minutes(3)))
struct FerryctlDescribeTests {
    @Test func describeShowsAFailedSyncAndItsJSONHasRFC3339Times() async throws {
        let world = try await World(staleAfterSeconds: 10, batchSize: 100)
        defer { world.cleanUp() }
        let storage = try await world.storage(files: 3) { directory in
            try "{\n  \"oops\": \n}\n".write(toFile: directory + "/nested/broken.json", atomically: true, encoding: .utf8)
        }
        try world.worker.start()
        // `sync --watch -o json` prints only the settled storage, and exits 1 for a failed sync.
        let (status, watched) = try await world.runFerryctl(["sync", "\(storage)", "--watch", "-o", "json"])
        #expect(status == 1, "\(watched)")
        let settled = try Self.object(watched)
        #expect((settled["sync"] as? [String: Any])?["status"] as? String == "failed", "\(watched)")
        let failed = try #require(try await world.admin { try await $0.listed(storage) }.sync)
        let meta = try #require(failed.meta)
        try #require(!failed.lastSyncJob.isEmpty && !meta.workerID.isEmpty && !meta.workerInstanceID.isEmpty)

        let text = try await world.ferryctl(["storage", "describe", "\(storage)"])
        // Spacing aside: the layout itself is FerryCLITests' concern.
        let lines = text.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
        for line in [
            "ID: \(storage)", "Kind: import", "Provider: local", "Location (local):", "Path: data", "Secrets: (none)",
            "Status: failed", "Job: \(failed.lastSyncJob)", "Worker: \(meta.workerID)",
            "Worker instance: \(meta.workerInstanceID)", "Traceback:",
        ] {
            #expect(lines.contains(line), "\(line) in:\n\(text)")
        }
        #expect(text.contains("nested/broken.json"), "\(text)")
        let timed = try Regex(#"^(Created|Queued|In progress|Failed): \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(\d+[smhd] ago\)$"#)
        #expect(lines.filter { $0.wholeMatch(of: timed) != nil }.count == 4, "\(text)")

        let json = try await world.ferryctl(["storage", "describe", "\(storage)", "-o", "json"])
        let object = try Self.object(json)
        #expect(object["id"] as? Int64 == storage)
        let sync = try #require(object["sync"] as? [String: Any])
        #expect(sync["status"] as? String == "failed")
        #expect(sync["last_sync_job"] as? String == failed.lastSyncJob)
        #expect(sync["worker_id"] as? String == meta.workerID)
        #expect(sync["worker_instance_id"] as? String == meta.workerInstanceID)
        #expect((sync["traceback"] as? String)?.contains("nested/broken.json") == true)
        #expect(sync["time_completed"] is NSNull, "a failed sync never completed")
        let times = [object["created"], object["updated"], sync["time_queued"], sync["time_in_progress"], sync["time_failure"]]
        for time in times {
            let date = try #require(Self.rfc3339(time as? String), "\(String(describing: time)) in \(json)")
            #expect(abs(date.timeIntervalSinceNow) < 600)
        }
    }

    /// The JSON object `text` holds.
    static func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "\(text)")
    }

    /// An RFC 3339 UTC time with or without a fraction of a second.
    static func rfc3339(_ text: String?) -> Date? {
        guard let text else { return nil }
        let whole = ISO8601DateFormatter()
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return whole.date(from: text) ?? fractional.date(from: text)
    }
}
