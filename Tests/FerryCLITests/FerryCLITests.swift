import FerryCLI
import FerryProto
import FerryRPC
import Foundation
import Testing

/// Sample storages: one finished local import and one failed S3 import.
enum Sample {
    static let now: Int64 = 1_714_564_800_000_000

    static var local: FerryV1.Storage {
        FerryV1.Storage(
            id: 7,
            spec: FerryV1.StorageSpec(
                projectID: 3, title: "photos", kind: .import, provider: .local,
                recursiveScan: true, local: FerryV1.LocalLocation(path: "data/photos")
            ),
            sync: FerryV1.SyncInfo(
                status: .completed, lastSyncUnixMicros: now - 90_000_000, lastSyncCount: 10_000,
                lastSyncJob: "job-7", meta: FerryV1.SyncMeta(tasksExisted: 12, workerID: "w1")
            ),
            credentialNames: [],
            revision: 2
        )
    }

    static var failed: FerryV1.Storage {
        FerryV1.Storage(
            id: 12,
            spec: FerryV1.StorageSpec(
                projectID: 3, title: "bucket import", kind: .import, provider: .s3,
                s3: FerryV1.S3Location(bucket: "b", region: "eu-west-1")
            ),
            sync: FerryV1.SyncInfo(
                status: .failed, lastSyncUnixMicros: 0, lastSyncCount: 0, lastSyncJob: "job-12",
                traceback: "worker w2 stopped sending heartbeats\njob job-12",
                meta: FerryV1.SyncMeta(workerID: "w2", terminationReason: .heartbeatTimeout)
            ),
            credentialNames: ["aws_secret_access_key"]
        )
    }
}

@Suite struct TableTests {
    @Test func alignsColumnsLikeKubectl() {
        let text = StorageOutput.table([Sample.local, Sample.failed], wide: false, nowMicros: Sample.now).render()
        #expect(text == """
            ID   TITLE           KIND     PROVIDER   STATUS      LAST-SYNC   COUNT
            7    photos          import   local      completed   90s         10000
            12   bucket import   import   s3         failed      -           0

            """)
    }

    @Test func wideAddsJobWorkerReason() {
        let lines = StorageOutput.table([Sample.failed], wide: true, nowMicros: Sample.now).render()
            .split(separator: "\n")
        #expect(lines[0].hasSuffix("COUNT   JOB      WORKER   REASON"))
        #expect(lines[1].hasSuffix("0       job-12   w2       HEARTBEAT_TIMEOUT"))
    }

    @Test func wideShowsAReasonForEveryFailedSync() {
        var broken = Sample.failed
        broken.sync?.meta?.terminationReason = .unspecified
        broken.sync?.traceback = "Invalid JSON in nested/bad.json line 3: unexpected character\nmore"
        #expect(StorageOutput.shortReason(broken.sync!) == "Invalid JSON in nested/bad.json line 3: unexpected character")
        broken.sync?.traceback = ""
        #expect(StorageOutput.shortReason(broken.sync!) == "FAILED")
        #expect(StorageOutput.shortReason(Sample.failed.sync!) == "HEARTBEAT_TIMEOUT")
        var partial = Sample.local
        partial.sync?.status = .completedWithErrors
        partial.sync?.meta?.tasksFailedValidation = 2
        #expect(StorageOutput.shortReason(partial.sync!) == "2 invalid")
        #expect(StorageOutput.shortReason(Sample.local.sync!) == "")
    }

    @Test func emptyCellsAndNewlinesStayOnOneLine() {
        let text = Table(headers: ["A", "B"], rows: [["", "x\ny"], ["long value"]]).render()
        #expect(text == "A            B\n-            x y\nlong value   -\n")
    }

    @Test func noTrailingSpaces() {
        let text = Table(headers: ["NAME", "V"], rows: [["a", ""], ["bbbbbb", "1"]]).render()
        #expect(!text.split(separator: "\n").contains { $0.hasSuffix(" ") })
    }

    @Test func ages() {
        #expect(Age.format(unixMicros: 0, nowMicros: Sample.now) == "-")
        #expect(Age.format(unixMicros: Sample.now - 5_000_000, nowMicros: Sample.now) == "5s")
        #expect(Age.format(unixMicros: Sample.now - 600_000_000, nowMicros: Sample.now) == "10m")
        #expect(Age.format(unixMicros: Sample.now - 3 * 3_600_000_000, nowMicros: Sample.now) == "3h")
        #expect(Age.format(unixMicros: Sample.now - 72 * 3_600_000_000, nowMicros: Sample.now) == "3d")
    }
}

@Suite struct JSONTests {
    func decode(_ text: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8))
    }

    @Test func storageFields() throws {
        let object = try #require(try decode(StorageJSON.json(Sample.local)) as? [String: Any])
        #expect(object["id"] as? Int == 7)
        #expect(object["project_id"] as? Int == 3)
        #expect(object["kind"] as? String == "import")
        #expect(object["provider"] as? String == "local")
        #expect(object["recursive_scan"] as? Bool == true)
        #expect(object["synchronizable"] as? Bool == false)
        #expect((object["local"] as? [String: Any])?["path"] as? String == "data/photos")
        let sync = try #require(object["sync"] as? [String: Any])
        #expect(sync["status"] as? String == "completed")
        #expect(sync["last_sync_count"] as? Int == 10_000)
        #expect(sync["tasks_existed"] as? Int == 12)
        #expect(sync["worker_id"] as? String == "w1")
    }

    @Test func everyFieldOfTheReplyIsPrinted() throws {
        var storage = Sample.failed
        storage.spec?.presign = true
        storage.spec?.presignTTLMicros = 60_000_000
        storage.spec?.s3?.forcePathStyle = true
        storage.sync?.meta?.timeLastPingUnixMicros = Sample.now - 1
        storage.sync?.meta?.timeQueuedUnixMicros = Sample.now - 2
        storage.sync?.meta?.durationMicros = 3
        storage.sync?.meta?.bytesTransferred = 4
        storage.sync?.meta?.workerInstanceID = "i-5"
        storage.createdUnixMicros = Sample.now - 3_600_000_000
        let object = try #require(try decode(StorageJSON.json(storage)) as? [String: Any])
        #expect(object["presign"] as? Bool == true)
        #expect(object["presign_ttl_micros"] as? Int == 60_000_000)
        #expect((object["s3"] as? [String: Any])?["force_path_style"] as? Bool == true)
        let sync = try #require(object["sync"] as? [String: Any])
        #expect(object["created"] as? String == "2024-05-01T11:00:00Z")
        #expect(object["updated"] is NSNull, "0 is not set")
        #expect(sync["time_last_ping"] as? String == "2024-05-01T11:59:59.999999Z")
        #expect(sync["time_queued"] as? String == "2024-05-01T11:59:59.999998Z")
        #expect(sync["duration_micros"] as? Int == 3)
        #expect(sync["bytes_transferred"] as? Int == 4)
        #expect(sync["worker_instance_id"] as? String == "i-5")
        #expect(sync["time_cancel_requested"] is NSNull)
        #expect(!object.keys.contains { $0.hasSuffix("_unix_micros") } && !sync.keys.contains { $0.hasSuffix("_unix_micros") })
    }

    @Test func listIsTheReplyAndKeepsTraceback() throws {
        let reply = FerryV1.ListStoragesResponse(storages: [Sample.local, Sample.failed], connectedWorkers: 2, totalCount: 9)
        let list = try #require(try decode(StorageJSON.json(reply)) as? [String: Any])
        #expect(list["total_count"] as? Int == 9)
        #expect(list["connected_workers"] as? Int == 2)
        let array = try #require(list["storages"] as? [[String: Any]])
        #expect(array.map { $0["id"] as? Int } == [7, 12])
        let sync = try #require(array[1]["sync"] as? [String: Any])
        #expect(sync["termination_reason"] as? String == "HEARTBEAT_TIMEOUT")
        #expect(sync["traceback"] as? String == "worker w2 stopped sending heartbeats\njob job-12")
        #expect(array[1]["credential_names"] as? [String] == ["aws_secret_access_key"])
    }

    @Test func taskDataIsEmbeddedJSON() throws {
        let task = FerryV1.Task(
            id: 1, projectID: 3, dataJSON: #"{"text":"hi"}"#,
            sources: [FerryV1.TaskSource(storageID: 7, key: "a.json", rowIndex: 2)]
        )
        let reply = try #require(try decode(TaskOutput.json([task])) as? [String: Any])
        let array = try #require(reply["tasks"] as? [[String: Any]])
        #expect((array[0]["data"] as? [String: Any])?["text"] as? String == "hi")
        let table = TaskOutput.table([task], wide: false).render()
        #expect(table.contains("a.json#2"))
    }

    @Test func taskCarriesEveryField() throws {
        let task = FerryV1.Task(
            id: 1, projectID: 3, dataJSON: #"{"text":"hi"}"#, annotations: [FerryV1.Annotation(id: 8, taskID: 1, resultJSON: "{}")],
            annotationCount: 1, createdUnixMicros: Sample.now, updatedUnixMicros: Sample.now + 500_000,
            metaJSON: #"{"source":"x"}"#, predictionsJSON: "[]", importedAnnotationsJSON: "")
        let tasks = try #require((try decode(TaskOutput.json([task])) as? [String: Any])?["tasks"] as? [[String: Any]])
        let fields = try #require(tasks.first)
        #expect(Set(fields.keys) == [
            "id", "project_id", "data", "sources", "annotations", "annotation_count", "created", "updated", "meta",
            "predictions", "imported_annotations",
        ])
        #expect(fields["created"] as? String == "2024-05-01T12:00:00Z")
        #expect(fields["updated"] as? String == "2024-05-01T12:00:00.5Z")
        #expect((fields["meta"] as? [String: Any])?["source"] as? String == "x")
        #expect((fields["predictions"] as? [Any])?.isEmpty == true)
        #expect(fields["imported_annotations"] is NSNull, "empty: it came without any")
        #expect((fields["annotations"] as? [[String: Any]])?.first?["id"] as? Int == 8)
    }

    @Test func tableShowsPrettyPrintedDataOnOneLine() {
        let task = FerryV1.Task(id: 2, projectID: 3, dataJSON: "{\n  \"text\": \"hi\",\n  \"n\": 1\n}\n")
        let table = TaskOutput.table([task], wide: true).render()
        #expect(table.contains(#"{ "text": "hi", "n": 1 }"#), "\(table)")
    }
}

@Suite struct SecretTests {
    static let value = "s3cr3t-VALUE-do-not-print"

    @Test func parsesNameAndValue() throws {
        let secret = try #require(SecretArgument("aws_secret_access_key=\(Self.value)=x"))
        #expect(secret.proto.name == "aws_secret_access_key")
        #expect(secret.proto.value == "\(Self.value)=x")
        #expect(SecretArgument("novalue") == nil)
        #expect(SecretArgument("=v") == nil)
    }

    @Test func valueNeverInDescriptions() throws {
        let secret = try #require(SecretArgument("key=\(Self.value)"))
        #expect(!"\(secret)".contains(Self.value))
        #expect(!String(reflecting: secret).contains(Self.value))
        #expect("\(secret)" == "key=<redacted>")
    }

    @Test func valueNeverInOutput() {
        var storage = Sample.failed
        storage.credentialNames = ["key"]
        let outputs = [
            StorageJSON.json(storage), StorageJSON.json(FerryV1.ListStoragesResponse(storages: [storage])),
            StorageDescription.text(storage, nowMicros: Sample.now),
            StorageOutput.table([storage], wide: true, nowMicros: Sample.now).render(),
            StorageOutput.progressLine(storage), StorageOutput.summary(storage),
        ]
        for output in outputs { #expect(!output.contains(Self.value)) }
        #expect(StorageJSON.json(storage).contains("\"key\""))
        let described = StorageDescription.text(storage, nowMicros: Sample.now).split(separator: "\n")
        #expect(described.contains { $0.split(separator: " ") == ["Secrets:", "key"] })
    }
}

@Suite struct ExitCodeTests {
    @Test func rpcCodes() {
        #expect(ExitCodes.code(for: RPCError(code: .unavailable, message: "x")) == 3)
        #expect(ExitCodes.code(for: RPCError(code: .unauthenticated, message: "x")) == 4)
        #expect(ExitCodes.code(for: RPCError(code: .permissionDenied, message: "x")) == 4)
        #expect(ExitCodes.code(for: RPCError(code: .notFound, message: "x")) == 5)
        #expect(ExitCodes.code(for: RPCError(code: .invalidArgument, message: "x")) == 1)
        #expect(ExitCodes.code(for: RPCError(code: .failedPrecondition, message: "x")) == 1)
        #expect(ExitCodes.code(for: RPCError(code: .deadlineExceeded, message: "x")) == 1)
        #expect(ExitCodes.code(for: CancellationError()) == 1)
    }

    @Test func syncOutcomes() {
        #expect(ExitCodes.code(forSettled: .completed) == 0)
        #expect(ExitCodes.code(forSettled: .failed) == 1)
        #expect(ExitCodes.code(forSettled: .completedWithErrors) == 6, "not the usage error's 2")
    }

    @Test func oneReadableLine() {
        let line = ExitCodes.line(for: RPCError(code: .notFound, message: "storage 9:\nnot found"))
        #expect(line == "ferryctl: NOT_FOUND: storage 9: not found")
    }
}

@Suite struct NameTests {
    @Test func roundTrips() {
        for kind in [FerryV1.StorageKind.import, .export, .dataset] {
            #expect(Names.parseKind(Names.kind(kind)) == kind)
        }
        for provider in [FerryV1.StorageProvider.local, .s3, .gcs, .azureBlob, .redis] {
            #expect(Names.parseProvider(Names.provider(provider)) == provider)
        }
        #expect(Names.status(.completedWithErrors) == "completed_with_errors")
        #expect(Names.parseStatus("in_progress") == .inProgress)
        #expect(Names.parseKind("bogus") == nil)
        #expect(Names.isSettled(.failed) && !Names.isSettled(.queued))
    }
}
