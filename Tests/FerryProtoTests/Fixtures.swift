import FerryProto

/// Messages that together use every field kind: strings (with non-ASCII text), bytes, bools,
/// int32/int64/uint64 extremes, enums (known and unknown), repeated scalars, enums, strings and
/// messages, and present and absent sub-messages.
enum Fixtures {
    /// Text that exercises UTF-8 of every length: Latin, combining marks, CJK, emoji with ZWJ.
    static let unicodeText = "Ferry — naïve café, 日本語のタスク, 🚢👩‍💻, e\u{301}"

    static let storage = FerryV1.Storage(
        id: .max,
        spec: FerryV1.StorageSpec(
            projectID: 42,
            title: unicodeText,
            description: "",
            kind: .import,
            provider: .s3,
            prefix: "incoming/2024/",
            regexFilter: #".*\.jsonl?"#,
            recursiveScan: true,
            useBlobURLs: false,
            presign: true,
            presignTTLMicros: 3_600_000_000,
            synchronizable: true,
            syncIntervalMicros: 0,
            s3: FerryV1.S3Location(
                bucket: "labels",
                region: "eu-west-1",
                endpointURL: "https://minio.local:9000",
                forcePathStyle: true
            )
        ),
        sync: FerryV1.SyncInfo(
            status: .completedWithErrors,
            lastSyncUnixMicros: 1_700_000_000_123_456,
            lastSyncCount: 1234,
            lastSyncJob: "job-7f3a",
            traceback: "2 tasks failed validation:\n  a.json row 3: \"data\" is missing\n",
            meta: FerryV1.SyncMeta(
                attempts: .max,
                timeQueuedUnixMicros: .min,
                timeInProgressUnixMicros: 1,
                timeLastPingUnixMicros: -1,
                durationMicros: .max,
                tasksExisted: 10,
                tasksFailedValidation: 2,
                workerID: "worker-a",
                workerInstanceID: "c0ffee",
                terminationReason: .unrecognized(99)
            )
        ),
        credentialNames: ["access_key_id", "secret_access_key", unicodeText],
        createdUnixMicros: 1,
        updatedUnixMicros: 2,
        revision: 3
    )

    static let job = FerryV1.Job(
        id: "job-1",
        storageID: 9,
        kind: .export,
        attempt: 2,
        leaseToken: "lease-\(unicodeText)",
        pingIntervalMicros: 10_000_000,
        staleAfterMicros: 50_000_000,
        storage: storage.spec,
        credentials: [
            FerryV1.Secret(name: "access_key_id", value: "AKIA…"),
            FerryV1.Secret(name: "secret_access_key", value: ""),
        ],
        options: FerryV1.SyncOptions(onlyNew: true),
        checkpoint: FerryV1.SyncCheckpoint(
            lastKey: "incoming/2024/b.json",
            state: Array(0...255),
            updatedUnixMicros: 5
        )
    )

    static let heartbeat = FerryV1.HeartbeatRequest(
        lease: FerryV1.JobLease(jobID: "job-1", leaseToken: "t"),
        counters: FerryV1.SyncCounters(
            synced: .max,
            existed: .min,
            failedValidation: 0,
            objectsScanned: 1,
            bytes: 1 << 40
        ),
        outcome: FerryV1.JobOutcome(
            result: .completedWithErrors,
            traceback: unicodeText,
            itemErrors: [
                FerryV1.ItemError(key: "a.jsonl", rowIndex: 0, line: 1, message: "not an object"),
                FerryV1.ItemError(key: "a.jsonl", rowIndex: .max, line: .min, message: ""),
            ]
        ),
        sequence: .max,
        sentUnixMicros: -42
    )

    static let filter = FerryV1.ListStoragesRequest(
        filter: FerryV1.StorageFilter(
            projectID: -7,
            kinds: [.import, .unrecognized(12), .unrecognized(-3), .unspecified],
            providers: [.azureBlob, .redis],
            statuses: [.queued, .inProgress],
            titleContains: "ü"
        ),
        pageSize: .min,
        pageToken: "next"
    )

    static let importBatch = FerryV1.SubmitImportBatchRequest(
        lease: FerryV1.JobLease(jobID: "j", leaseToken: "l"),
        tasks: (0..<50).map { index in
            FerryV1.ImportTask(
                key: "folder/\(index).json",
                rowIndex: Int64(index),
                dataJSON: #"{"text": "\#(unicodeText) \#(index)"}"#
            )
        },
        checkpoint: FerryV1.SyncCheckpoint(lastKey: "folder/49.json")
    )
}
