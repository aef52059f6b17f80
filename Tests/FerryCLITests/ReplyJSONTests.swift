import FerryCLI
import FerryProto
import Foundation
import Testing

/// `-o json` of the replies that are not tables: every field, times as RFC 3339.
struct ReplyJSONTests {
    func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "\(text)")
    }

    @Test func health() throws {
        #expect(try object(ReplyJSON.health(FerryV1.HealthCheckResponse(status: .notServing)))["status"] as? String == "NOT_SERVING")
        #expect(Names.servingStatus(.serving) == "SERVING")
    }

    @Test func startAndCancelCarryTheSyncState() throws {
        let sync = FerryV1.SyncInfo(
            status: .queued, lastSyncJob: "job-1", meta: FerryV1.SyncMeta(attempts: 1, timeQueuedUnixMicros: Sample.now))
        let started = try object(ReplyJSON.startSync(FerryV1.StartSyncResponse(jobID: "job-1", alreadyRunning: true, sync: sync)))
        #expect(started["job_id"] as? String == "job-1")
        #expect(started["already_running"] as? Bool == true)
        let state = try #require(started["sync"] as? [String: Any])
        #expect(state["status"] as? String == "queued")
        #expect(state["time_queued"] as? String == "2024-05-01T12:00:00Z")
        #expect(state["attempts"] as? Int == 1)

        let cancelled = try object(ReplyJSON.cancelSync(FerryV1.CancelSyncResponse(jobID: "job-1", cancelRequested: true, sync: sync)))
        #expect(cancelled["cancel_requested"] as? Bool == true)
        #expect((cancelled["sync"] as? [String: Any])?["last_sync_job"] as? String == "job-1")
    }

    @Test func deletesAndPuts() throws {
        #expect(try object(ReplyJSON.deleteJob("job-9", FerryV1.DeleteJobResponse(deleted: true))) as NSDictionary
            == ["job_id": "job-9", "deleted": true])
        #expect(try object(ReplyJSON.deleteAnnotations(FerryV1.DeleteAnnotationsResponse(deleted: 3)))["deleted"] as? Int == 3)
        let put = try object(ReplyJSON.putAnnotations(FerryV1.PutAnnotationsResponse(
            annotations: [FerryV1.Annotation(id: 5, taskID: 1, resultJSON: #"[{"v":1}]"#, completedBy: "u1", createdUnixMicros: Sample.now)],
            unchanged: 2)))
        #expect(put["unchanged"] as? Int == 2)
        let annotation = try #require((put["annotations"] as? [[String: Any]])?.first)
        #expect(annotation["id"] as? Int == 5)
        #expect(annotation["task_id"] as? Int == 1)
        #expect((annotation["result"] as? [[String: Any]])?.first?["v"] as? Int == 1)
        #expect(annotation["completed_by"] as? String == "u1")
        #expect(annotation["created"] as? String == "2024-05-01T12:00:00Z")
        #expect(annotation["updated"] is NSNull)
    }
}
