public import FerryProviders
import FerryCore
public import FerryProto

/// The sync loop of an import job (docs/CONTRACT.md §5): list, filter, ask the server which keys are new,
/// read and parse only those, and hand the tasks over in batches.
///
/// The listing is pulled a page at a time, so memory stays bounded whatever the object count.
/// A file's rows go to the server in one batch when they fit (``BatchPlanner``); a file with
/// more rows or data than one batch takes (the configured batch size, at most
/// ``maxRowsPerBatch`` rows, and ``maxBatchBytes``) is split in row order, and every batch of
/// it but the last names its key as partial, so the server keeps the key new to
/// CheckImportKeys until its last row is in: a re-sync after a sync that ended between those
/// batches reads the file again and imports exactly the rows that are missing.
///
/// Every request is checked against the server's message limit before it is sent
/// (``BatchBudget``): a task too large to send counts as failed validation, with an item error
/// naming its key and the limit, and the rest of the sync goes on. The filter is applied with a
/// cancellation check per key (``PageFilter``), and every loop checks for cancellation, so a
/// stop request ends the sync within one ping interval. Progress goes to the job's
/// ``JobControl``; the heartbeat timer reports it.
public struct ImportRunner: Sendable {
    /// The most tasks the server takes in one SubmitImportBatch.
    public static let maxRowsPerBatch = 5_000
    /// About the most encoded bytes of tasks per batch, well under the 4 MiB message limit (a
    /// smaller server limit lowers it).
    public static let maxBatchBytes = 2 * 1024 * 1024
    /// Objects listed, and keys checked, per step: the server's most keys per CheckImportKeys.
    /// Independent of the batch size, so that a re-sync, which is all listing and checking, makes
    /// few round trips.
    public static let listingPageSize = 5_000
    /// Roughly how many bytes are read from the source per hop.
    static let readGroupBytes: Int64 = 8 * 1024 * 1024
    /// The most objects read per hop, which bounds a group whose sizes the listing did not give.
    static let readGroupObjects = 256

    private let job: FerryV1.Job
    private let source: any ObjectStore
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
    public init(job: FerryV1.Job, source: any ObjectStore, client: WorkerClient, control: JobControl, batchSize: Int) {
        self.job = job
        self.source = source
        self.client = client
        self.control = control
        self.batchSize = batchSize
    }

    /// Runs the sync to its end.
    ///
    /// - Throws: ``TaskFileError`` for an object that is not task JSON, ``ProviderError``,
    ///   `ValidationError` for a filter that does not compile, ``RPCError`` (a lease rejection
    ///   among them), or `CancellationError` when the job was stopped.
    public func run() async throws {
        let spec = job.storage ?? FerryV1.StorageSpec()
        let filter = try KeyFilter(pattern: spec.regexFilter)
        let lister = try source.makeLister()
        let pipeline = SubmissionPipeline(
            submit: { [client, lease, patience = job.patience] batch in
                let request = FerryV1.SubmitImportBatchRequest(
                    lease: lease, tasks: batch.tasks, partialKeys: batch.partialKeys)
                let (response, retried) = try await client.submitImportBatch(request, patience: patience)
                return SubmissionPipeline.Reply(response: response, retried: retried)
            },
            account: { [control] reply in Self.account(reply, in: control) }
        )
        let budget = BatchBudget(messageLimit: client.maxRequestSize, lease: lease)
        var batches = Batches(
            budget: budget,
            planner: BatchPlanner(
                maxTasks: batchSize, hardMaxTasks: Self.maxRowsPerBatch,
                maxBytes: min(Self.maxBatchBytes, budget.entryBytes))
        )
        do {
            try await ListingPages.forEach(lister, pageSize: Self.listingPageSize) { page in
                try await importPage(page, spec: spec, filter: filter, batches: &batches, pipeline: pipeline)
            }
            try await pipeline.send(batches.planner.flush() ?? ImportBatch())
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
        batches: inout Batches,
        pipeline: SubmissionPipeline
    ) async throws {
        try Task.checkCancellation()
        let matching = try await PageFilter.matching(page, filter: filter)
        control.update { $0.objectsScanned += Int64(matching.count) }
        guard !matching.isEmpty else { return }
        let fresh = try await newObjects(matching)
        if spec.useBlobURLs {
            for object in fresh {
                try Task.checkCancellation()
                try await append([blobTask(object.key)], to: &batches, pipeline: pipeline)
            }
            return
        }
        if let large = fresh.first(where: { ($0.size ?? 0) > ObjectLimits.maxObjectBytes }) {
            throw ProviderError(
                subject: large.key,
                message: "is \(large.size ?? 0) bytes; task files are read whole, up to \(ObjectLimits.maxObjectBytes) bytes"
            )
        }
        for group in Self.readGroups(fresh) {
            try Task.checkCancellation()
            for loaded in try await source.read(group.map(\.key)) {
                try Task.checkCancellation()
                control.update { $0.bytes += Int64(loaded.bytes.count) }
                WorkerMetrics.read(loaded.bytes.count)
                let rows = try TaskFileParser.parse(loaded.bytes, key: loaded.key)
                try Task.checkCancellation()  // The parser stops early when cancelled.
                let tasks = rows.map { PlatformTaskFormat.importTask(key: loaded.key, row: $0) }
                try await append(tasks, to: &batches, pipeline: pipeline)
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

    /// The planner and the budget its tasks are checked against.
    private struct Batches {
        let budget: BatchBudget
        var planner: BatchPlanner
    }

    /// Adds one object's tasks to the plan and sends the batches it completes; a task too large
    /// for any request is counted as failed validation instead.
    private func append(
        _ tasks: [FerryV1.ImportTask],
        to batches: inout Batches,
        pipeline: SubmissionPipeline
    ) async throws {
        var sendable = tasks
        if tasks.contains(where: { !batches.budget.fits($0) }) {
            let (fitting, oversized) = tasks.partitioned { batches.budget.fits($0) }
            let errors = oversized.map(batches.budget.oversizeError)
            control.update { $0.failedValidation += Int64(errors.count) }
            control.recordItemErrors(errors)
            sendable = fitting
        }
        for batch in batches.planner.add(sendable) {
            try await pipeline.send(batch)
        }
    }

    /// Counts one batch's reply.
    private static func account(_ reply: SubmissionPipeline.Reply, in control: JobControl) {
        control.update { counters in
            // Every (key, row) goes out once per job, so a link reported as existing was made
            // before this job (the rest of a file split across batches, re-read after a sync that
            // ended between them), unless the call was repeated: then the first attempt, whose
            // reply was lost, may have made it.
            let existed = Int64(reply.response.existed.count)
            counters.synced += Int64(reply.response.created.count) + (reply.retried ? existed : 0)
            counters.existed += reply.retried ? 0 : existed
            counters.failedValidation += Int64(reply.response.failedValidation.count)
        }
        WorkerMetrics.imported(reply.response.created.count)
        control.recordItemErrors(reply.response.failedValidation)
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
