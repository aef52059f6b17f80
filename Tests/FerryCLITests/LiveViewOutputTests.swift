import FerryCLI
import FerryProto
import Foundation
import Testing

/// What `sync --watch`, `storage list --watch` and `jobs list` print.
struct LiveViewOutputTests {
    static func running() -> FerryV1.Storage {
        var storage = Sample.local
        storage.sync = FerryV1.SyncInfo(
            status: .inProgress, lastSyncCount: 1_100, lastSyncJob: "job-1",
            meta: FerryV1.SyncMeta(
                timeInProgressUnixMicros: Sample.now, timeLastPingUnixMicros: Sample.now + 2_000_000,
                tasksExisted: 500, tasksFailedValidation: 100, objectsScanned: 5_000, workerID: "worker-1"))
        return storage
    }

    @Test func theProgressLineShowsTheListingSoFarRateAndElapsedTime() {
        let line = StorageOutput.progressLine(Self.running())
        #expect(line.contains("scanned=5000 (listing so far)"), "\(line)")
        #expect(line.contains("created=1100  existed=500  invalid=100"), "\(line)")
        // 1,100 tasks created in 2 s of the server's clock.
        #expect(line.contains("rate=550 tasks/s  elapsed=2.0s"), "\(line)")
        #expect(line.hasSuffix("worker=worker-1"), "\(line)")
    }

    @Test func aQueuedSyncHasNoRateYet() {
        var storage = Sample.local
        storage.sync = FerryV1.SyncInfo(status: .queued, waitingReason: "no connected worker offers s3 import")
        let line = StorageOutput.progressLine(storage)
        #expect(!line.contains("rate="), "\(line)")
        #expect(line.hasSuffix("waiting: no connected worker offers s3 import"), "\(line)")
    }

    @Test func eventLinesAndJSONLines() throws {
        let changed = FerryV1.WatchStoragesResponse(type: .changed, storage: Sample.failed, storageID: 12)
        let line = StorageOutput.eventLine(changed, clock: "12:00:00Z")
        #expect(line.hasPrefix("12:00:00Z  storage 12: failed"), "\(line)")
        #expect(line.contains("reason: "), "\(line)")
        let deleted = FerryV1.WatchStoragesResponse(type: .deleted, storageID: 12)
        #expect(StorageOutput.eventLine(deleted, clock: "12:00:01Z") == "12:00:01Z  storage 12: deleted")

        let json = StorageOutput.eventJSON(changed)
        #expect(!json.contains("\n"), "one event per line")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["type"] as? String == "changed" && object["storage_id"] as? Int == 12)
        #expect((object["storage"] as? [String: Any])?["id"] as? Int == 12)
        let gone = try #require(
            try JSONSerialization.jsonObject(with: Data(StorageOutput.eventJSON(deleted).utf8)) as? [String: Any])
        #expect(gone["storage"] is NSNull && gone["type"] as? String == "deleted")
        #expect(TimeText.clock(unixMicros: Sample.now + 1_500_000) == "12:00:01Z")
    }

    @Test func theQueueLineAndTheJobsTable() {
        let reply = FerryV1.ListJobsResponse(
            jobs: [
                FerryV1.JobInfo(
                    jobID: "job-r", storageID: 3, kind: .import, provider: .s3, state: .running, workerID: "worker-1",
                    createdUnixMicros: Sample.now - 90_000_000, claimedUnixMicros: Sample.now - 80_000_000),
                FerryV1.JobInfo(
                    jobID: "job-q", storageID: 4, kind: .export, provider: .local, state: .queued,
                    createdUnixMicros: Sample.now - 45_000_000, cancelRequested: true),
            ],
            queuedCount: 1, runningCount: 1, oldestQueuedUnixMicros: Sample.now - 45_000_000)
        #expect(
            JobOutput.queueLine(reply, connectedWorkers: 3, nowMicros: Sample.now)
                == "queue: 1 queued (oldest 45s), 1 running; 3 workers connected")
        #expect(
            JobOutput.queueLine(FerryV1.ListJobsResponse(), connectedWorkers: 1, nowMicros: Sample.now)
                == "queue: 0 queued, 0 running; 1 worker connected")
        let table = JobOutput.table(reply.jobs, wide: true, nowMicros: Sample.now).render()
        let rows = table.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        #expect(rows.first?.prefix(7) == ["JOB", "STORAGE", "KIND", "PROVIDER", "STATE", "AGE", "WORKER"])
        #expect(rows.dropFirst().first == ["job-r", "3", "import", "s3", "running", "90s", "worker-1", "-", "80s", "-", "-"])
        #expect(rows.last == ["job-q", "4", "export", "local", "queued", "45s", "-", "-", "-", "-", "requested"])
    }
}
