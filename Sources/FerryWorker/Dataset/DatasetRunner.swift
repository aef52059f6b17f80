public import FerryProviders
import FerryCore
public import FerryProto

/// The sync loop of a dataset job (docs/CONTRACT.md §5): list the storage's location with all the
/// metadata the provider gives, keep the keys `regex_filter` matches, and catalogue them with
/// UpsertDatasetObjects in batches, each with a checkpoint naming its last key; once the whole
/// listing is in, CompleteDatasetScan with `listing_complete`, so the server marks deleted the
/// objects this listing did not see.
///
/// A sync that fails, is cancelled or loses its lease never sends `listing_complete`, so an
/// interrupted listing marks nothing deleted. Progress goes to the job's ``JobControl`` (objects
/// scanned; objects written as synced; unchanged objects as existed) and the heartbeat timer
/// reports it; every loop checks for cancellation, so a stop request ends the sync within one
/// ping interval.
public struct DatasetRunner: Sendable {
    /// The most objects the server takes in one UpsertDatasetObjects.
    public static let maxObjectsPerBatch = 5_000
    /// About the most encoded bytes of objects per batch, well under the 4 MiB message limit.
    public static let maxBatchBytes = 2 * 1024 * 1024

    private let job: FerryV1.Job
    private let source: any ObjectStore
    private let client: WorkerClient
    private let control: JobControl
    private let batchSize: Int

    /// Creates the loop of one job.
    ///
    /// - Parameters:
    ///   - job: The claimed dataset job.
    ///   - source: Where its objects are.
    ///   - client: The calls to the server.
    ///   - control: Where progress goes.
    ///   - batchSize: Objects per UpsertDatasetObjects (capped at ``maxObjectsPerBatch``).
    public init(job: FerryV1.Job, source: any ObjectStore, client: WorkerClient, control: JobControl, batchSize: Int) {
        self.job = job
        self.source = source
        self.client = client
        self.control = control
        self.batchSize = batchSize
    }

    /// Runs the sync to its end.
    ///
    /// - Returns: How many objects the server marked deleted.
    /// - Throws: ``ProviderError``, `ValidationError` for a filter that does not compile,
    ///   ``RPCError`` (a lease rejection among them), or `CancellationError` when the job was
    ///   stopped.
    @discardableResult
    public func run() async throws -> Int64 {
        let filter = try KeyFilter(pattern: (job.storage ?? FerryV1.StorageSpec()).regexFilter)
        let lister = try source.makeMetadataLister()
        var batch = DatasetBatch(
            maxObjects: min(batchSize, Self.maxObjectsPerBatch), maxBytes: Self.maxBatchBytes,
            messageLimit: client.maxRequestSize)
        try await ListingPages.forEach(lister, pageSize: ImportRunner.listingPageSize) { page in
            try Task.checkCancellation()
            let matching = try await PageFilter.matching(page, filter: filter)
            control.update { $0.objectsScanned += Int64(matching.count) }
            for object in try await ObjectMeasurer.measured(matching, from: source) {
                if let full = batch.add(Self.wire(object)) { try await upsert(full) }
            }
        }
        try await upsert(batch.take())
        try Task.checkCancellation()
        let reply = try await client.completeDatasetScan(
            FerryV1.CompleteDatasetScanRequest(lease: lease, listingComplete: true), patience: job.patience)
        return reply.markedDeleted
    }

    /// Sends one batch with a checkpoint at its last key and counts the reply.
    private func upsert(_ objects: [FerryV1.DatasetObject]) async throws {
        guard let last = objects.last else { return }
        try Task.checkCancellation()
        let reply = try await client.upsertDatasetObjects(
            FerryV1.UpsertDatasetObjectsRequest(
                lease: lease, objects: objects, checkpoint: FerryV1.SyncCheckpoint(lastKey: last.key)),
            patience: job.patience)
        control.update { counters in
            counters.synced += reply.inserted + reply.updated
            counters.existed += reply.unchanged
        }
    }

    /// The wire form of a listed object (unknown fields empty).
    static func wire(_ object: ListedObject) -> FerryV1.DatasetObject {
        FerryV1.DatasetObject(
            key: object.key,
            size: object.size ?? 0,
            etag: object.etag ?? "",
            lastModifiedUnixMicros: object.lastModified?.unixMicroseconds ?? 0,
            contentType: object.contentType ?? ""
        )
    }

    private var lease: FerryV1.JobLease { client.lease(for: job) }
}
