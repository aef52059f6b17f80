import FerryCore
public import FerryProto

/// The sync loop of an import job (docs/CONTRACT.md §5): list, filter, ask the server which keys are new,
/// read and parse only those, and hand the tasks over in batches.
///
/// The listing is pulled a page at a time, so memory stays bounded whatever the object count.
/// A file's rows always go to the server in one batch (``BatchPlanner``), so a file is imported
/// whole or not at all and a re-sync, which skips every key that has a link, never leaves half a
/// file behind. Only a file with more rows or data than one batch takes (``maxRowsPerBatch``,
/// ``maxBatchBytes``) is split, in row order; if such a sync dies between its batches, the rest of that file
/// is not picked up by a re-sync. Progress goes to the job's ``JobControl``; the heartbeat timer
/// reports it.
public struct ImportRunner: Sendable {
    /// The most tasks the server takes in one SubmitImportBatch.
    public static let maxRowsPerBatch = 5_000
    /// About the most bytes of task data per batch, well under the 4 MiB message limit.
    public static let maxBatchBytes = 2 * 1024 * 1024
    /// Objects listed, and keys checked, per step: the server's most keys per CheckImportKeys.
    /// Independent of the batch size, so that a re-sync, which is all listing and checking, makes
    /// few round trips.
    public static let listingPageSize = 5_000
    /// Objects larger than this are refused rather than read into memory.
    public static let maxObjectBytes: Int64 = 256 * 1024 * 1024
    /// Roughly how many bytes are read from the source per hop.
    static let readGroupBytes: Int64 = 8 * 1024 * 1024
    /// The most objects read per hop, which bounds a group whose sizes the listing did not give.
    static let readGroupObjects = 256

    private let job: FerryV1.Job
    private let source: any ImportSource
    private let client: WorkerClient
    private let control: JobControl
    private let batchSize: Int

    /// Creates the loop of one job.
    ///
    /// - Parameters:
    ///   - job: The claimed import job.
    ///   - source: Where its objects are.
    ///   - client: The calls to the server.
    ///   - control: Where progress goes.
    ///   - batchSize: Tasks per SubmitImportBatch.
    public init(job: FerryV1.Job, source: any ImportSource, client: WorkerClient, control: JobControl, batchSize: Int) {
        self.job = job
        self.source = source
        self.client = client
        self.control = control
        self.batchSize = batchSize
    }

    /// Runs the sync to its end.
    ///
    /// - Throws: ``TaskFileError`` for an object that is not task JSON, ``ImportSourceError``,
    ///   `ValidationError` for a filter that does not compile, ``RPCError`` (a lease rejection
    ///   among them), or `CancellationError` when the job was stopped.
    public func run() async throws {
        let spec = job.storage ?? FerryV1.StorageSpec()
        let filter = try KeyFilter(pattern: spec.regexFilter)
        let lister = try source.makeLister()
        let pipeline = SubmissionPipeline(
            submit: { [client, lease, patience = job.patience] tasks in
                try await client.submitImportBatch(
                    FerryV1.SubmitImportBatchRequest(lease: lease, tasks: tasks), patience: patience)
            },
            account: { [control] reply in Self.account(reply, in: control) }
        )
        var planner = BatchPlanner(maxTasks: batchSize, hardMaxTasks: Self.maxRowsPerBatch, maxBytes: Self.maxBatchBytes)
        do {
            var page = try await lister.next(maxCount: Self.listingPageSize)
            while let current = page {
                // The next page is listed while this one is checked, read and handed over.
                async let upcoming = lister.next(maxCount: Self.listingPageSize)
                try await importPage(current, spec: spec, filter: filter, planner: &planner, pipeline: pipeline)
                page = try await upcoming
            }
            try await pipeline.send(planner.flush() ?? [])
            try await pipeline.drain()
        } catch {
            await pipeline.abandon()
            throw error
        }
    }

    private func importPage(
        _ page: [ListedObject],
        spec: FerryV1.StorageSpec,
        filter: KeyFilter,
        planner: inout BatchPlanner,
        pipeline: SubmissionPipeline
    ) async throws {
        try Task.checkCancellation()
        let matching = page.filter { filter.matches($0.key) }
        control.update { $0.objectsScanned += Int64(matching.count) }
        guard !matching.isEmpty else { return }
        let fresh = try await newObjects(matching)
        if spec.useBlobURLs {
            for object in fresh {
                try await append([blobTask(object.key)], to: &planner, pipeline: pipeline)
            }
            return
        }
        if let large = fresh.first(where: { ($0.size ?? 0) > Self.maxObjectBytes }) {
            throw ImportSourceError(
                subject: large.key,
                message: "is \(large.size ?? 0) bytes; task files are read whole, up to \(Self.maxObjectBytes) bytes"
            )
        }
        for group in Self.readGroups(fresh) {
            try Task.checkCancellation()
            for loaded in try await source.read(group.map(\.key)) {
                control.update { $0.bytes += Int64(loaded.bytes.count) }
                let rows = try TaskFileParser.parse(loaded.bytes, key: loaded.key)
                let tasks = rows.map { FerryV1.ImportTask(key: loaded.key, rowIndex: $0.rowIndex, dataJSON: $0.json) }
                try await append(tasks, to: &planner, pipeline: pipeline)
            }
        }
    }

    /// The listed objects whose keys have no link yet; the others count as existed.
    private func newObjects(_ objects: [ListedObject]) async throws -> [ListedObject] {
        let reply = try await client.checkImportKeys(
            FerryV1.CheckImportKeysRequest(lease: lease, keys: objects.map(\.key)),
            patience: job.patience
        )
        control.update { $0.existed += reply.existingCount }
        let fresh = Set(reply.newKeys)
        return objects.filter { fresh.contains($0.key) }
    }

    /// Adds one object's tasks to the plan and sends the batches it completes.
    private func append(
        _ tasks: [FerryV1.ImportTask],
        to planner: inout BatchPlanner,
        pipeline: SubmissionPipeline
    ) async throws {
        for batch in planner.add(tasks) {
            try await pipeline.send(batch)
        }
    }

    /// Counts one batch's reply.
    private static func account(_ reply: FerryV1.SubmitImportBatchResponse, in control: JobControl) {
        control.update { counters in
            // Every key here was new when this job checked it, and no other job of the storage
            // runs meanwhile, so a link reported as existing was made by this job: a batch whose
            // reply was lost (the server restarted) and that was sent again.
            counters.synced += Int64(reply.created.count + reply.existed.count)
            counters.failedValidation += Int64(reply.failedValidation.count)
        }
        control.recordItemErrors(reply.failedValidation)
    }

    private func blobTask(_ key: String) -> FerryV1.ImportTask {
        FerryV1.ImportTask(key: key, rowIndex: 0, dataJSON: #"{"url":"\#(source.blobURL(for: key))"}"#)
    }

    /// Objects grouped so that one read holds about ``readGroupBytes`` and at most
    /// ``readGroupObjects`` objects (at least one).
    static func readGroups(_ objects: [ListedObject]) -> [[ListedObject]] {
        var groups: [[ListedObject]] = []
        var current: [ListedObject] = []
        var bytes: Int64 = 0
        for object in objects {
            let size = object.size ?? 0
            if !current.isEmpty && (bytes + size > readGroupBytes || current.count == readGroupObjects) {
                groups.append(current)
                current = []
                bytes = 0
            }
            current.append(object)
            bytes += size
        }
        if !current.isEmpty { groups.append(current) }
        return groups
    }

    private var lease: FerryV1.JobLease { client.lease(for: job) }
}
