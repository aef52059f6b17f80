import FerryCLI
import FerryProto
import Testing

/// How `ferryctl storage describe` lays out a storage.
struct StorageDescriptionTests {
    /// A failed S3 import with every field set.
    static var storage: FerryV1.Storage {
        FerryV1.Storage(
            id: 12,
            spec: FerryV1.StorageSpec(
                projectID: 3, title: "bucket import", description: "nightly scans", kind: .import, provider: .s3,
                prefix: "in/", regexFilter: #".*\.json"#, recursiveScan: true, presign: true,
                presignTTLMicros: 900_000_000, synchronizable: true, syncIntervalMicros: 3_600_000_000,
                s3: FerryV1.S3Location(bucket: "b", region: "eu-west-1", forcePathStyle: true)
            ),
            sync: FerryV1.SyncInfo(
                status: .failed, lastSyncUnixMicros: Sample.now - 60_000_000, lastSyncCount: 40, lastSyncJob: "job-12",
                traceback: "worker w2 stopped sending heartbeats\n  last ping 2024-05-01T11:58:30Z\n",
                meta: FerryV1.SyncMeta(
                    attempts: 2, timeQueuedUnixMicros: Sample.now - 300_000_000,
                    timeInProgressUnixMicros: Sample.now - 290_000_000, timeLastPingUnixMicros: Sample.now - 90_000_000,
                    timeFailureUnixMicros: Sample.now - 60_000_000, durationMicros: 230_500_000, tasksExisted: 5,
                    objectsScanned: 45, bytesTransferred: 1_024, workerID: "w2", workerInstanceID: "w2-1714564000",
                    terminationReason: .heartbeatTimeout)
            ),
            credentialNames: ["access_key_id", "secret_access_key"],
            createdUnixMicros: Sample.now - 3 * 86_400_000_000,
            updatedUnixMicros: Sample.now - 7_200_000_000,
            revision: 4
        )
    }

    @Test func everyFieldInAReadableLayout() {
        #expect(StorageDescription.text(Self.storage, nowMicros: Sample.now) == """
            ID:           12
            Title:        bucket import
            Description:  nightly scans
            Project:      3
            Kind:         import
            Provider:     s3
            Revision:     4
            Created:      2024-04-28T12:00:00Z (3d ago)
            Updated:      2024-05-01T10:00:00Z (2h ago)
            Settings:
              Prefix:              in/
              Regex filter:        .*\\.json
              Recursive scan:      true
              Use blob URLs:       false
              Presign:             true
              Presign TTL:         15m0s
              Can delete objects:  false
              Export all:          false
              Export on change:    false
              Sync interval:       1h0m
              Dataset:             -
              Synchronizable:      true
              Secrets:             access_key_id, secret_access_key
              Location (s3):
                Bucket:        b
                Region:        eu-west-1
                Endpoint URL:  -
                Path style:    true
                SSE KMS key:   -
            Sync:
              Status:              failed
              Termination reason:  HEARTBEAT_TIMEOUT
              Waiting reason:      -
              Job:                 job-12
              Worker:              w2
              Worker instance:     w2-1714564000
              Attempts:            2
              Last sync:           2024-05-01T11:59:00Z (60s ago)
              Last sync count:     40
              Timeline:
                Queued:            2024-05-01T11:55:00Z (5m ago)
                In progress:       2024-05-01T11:55:10Z (4m ago)
                Last ping:         2024-05-01T11:58:30Z (90s ago)
                Completed:         -
                Failed:            2024-05-01T11:59:00Z (60s ago)
                Cancel requested:  -
                Duration:          3m50s
              Counters:
                Tasks existed:        5
                Failed validation:    0
                Annotations written:  0
                Objects scanned:      45
                Bytes transferred:    1024
              Traceback:
                worker w2 stopped sending heartbeats
                  last ping 2024-05-01T11:58:30Z

            """)
    }

    @Test func aNewStorageShowsDashesAndNoSecrets() {
        let storage = FerryV1.Storage(
            id: 1, spec: FerryV1.StorageSpec(projectID: 1, kind: .dataset, provider: .local, datasetID: 9),
            sync: FerryV1.SyncInfo(status: .initialized))
        let lines = StorageDescription.text(storage, nowMicros: Sample.now).split(separator: "\n")
            .map { $0.split(separator: " ").joined(separator: " ") }
        #expect(lines.contains("Title: -"))
        #expect(lines.contains("Created: -"))
        #expect(lines.contains("Secrets: (none)"))
        #expect(lines.contains("Dataset: 9"))
        #expect(lines.contains("Presign TTL: server default"))
        #expect(lines.contains("Sync interval: off"))
        #expect(lines.contains("Status: initialized"))
        #expect(lines.contains("Traceback: -"))
        #expect(!lines.contains { $0.hasPrefix("Location") }, "no location is set")
    }

    @Test func fieldListAlignsEachSectionAndIndentsBlocks() {
        let list = FieldList([
            .field("A", "1"),
            .field("Longer", "two\nlines"),
            .block("Text", "first\n\n  indented  \n\n"),
            .section("Inner", FieldList([.field("X", ""), .block("Empty", "\n")])),
        ])
        #expect(list.render() == """
            A:       1
            Longer:  two lines
            Text:
              first

                indented
            Inner:
              X:  -
              Empty:  -

            """)
    }
}
