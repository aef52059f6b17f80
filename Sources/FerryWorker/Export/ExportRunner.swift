public import FerryProto
public import FerryProviders

/// The sync loop of an export job: fetch a batch of objects to write (each a task with its
/// annotations, made by the server) and keys to delete, write and delete them on the provider
/// at most ``parallelism`` at a time, then acknowledge what was done so the server records the
/// export links; repeat until the server says the export is done. The next batch is fetched
/// and the previous one acknowledged while a batch is written.
///
/// Acknowledging after writing means a crash between the two writes those objects once more on
/// the next export and never loses one. A write or delete that fails (after the provider's own
/// retries) ends the sync with that error, once what did succeed in the batch is acknowledged.
public struct ExportRunner: Sendable {
    /// Writes and deletes in flight at once.
    public static let parallelism = ProviderContext.defaultParallelism
    /// The most objects asked for per batch: small enough that a crash rewrites little.
    public static let maxBatch = 500

    private let job: FerryV1.Job
    private let target: any ObjectStore
    private let client: WorkerClient
    private let control: JobControl
    private let batchSize: Int

    /// Creates the loop of one job.
    ///
    /// - Parameters:
    ///   - job: The claimed export job.
    ///   - target: Where its objects go.
    ///   - client: The calls to the server.
    ///   - control: Where progress goes.
    ///   - batchSize: Objects per FetchExportBatch (the server caps it).
    public init(job: FerryV1.Job, target: any ObjectStore, client: WorkerClient, control: JobControl, batchSize: Int) {
        self.job = job
        self.target = target
        self.client = client
        self.control = control
        self.batchSize = batchSize
    }

    /// Runs the export to its end.
    ///
    /// - Throws: ``ProviderError`` for a write or delete that failed, ``RPCError`` (a lease
    ///   rejection among them), or `CancellationError` when the job was stopped.
    public func run() async throws {
        // The next batch is fetched, and the previous one acknowledged, while this one is written:
        // a batch's page token does not depend on the acknowledgement of the one before.
        var fetching: Task<FerryV1.FetchExportBatchResponse, any Error>? = fetch(after: "")
        var acknowledging: Task<Void, any Error>?
        defer {
            fetching?.cancel()
            acknowledging?.cancel()
        }
        while let current = fetching {
            try Task.checkCancellation()
            let batch = try await current.value
            fetching = batch.done || batch.nextPageToken.isEmpty ? nil : fetch(after: batch.nextPageToken)
            control.update { $0.objectsScanned += Int64(batch.items.count + batch.deleteKeys.count) }
            let written = await write(batch.items)
            let deleted = await delete(batch.deleteKeys)
            try await acknowledging?.value
            let acknowledgement = acknowledge(written, deleted: deleted.keys, nextPageToken: batch.nextPageToken)
            acknowledging = acknowledgement
            if let failure = written.failure ?? deleted.failure {
                try await acknowledgement.value
                throw failure
            }
        }
        try await acknowledging?.value
    }

    private func fetch(after pageToken: String) -> Task<FerryV1.FetchExportBatchResponse, any Error> {
        let request = FerryV1.FetchExportBatchRequest(
            lease: lease, maxItems: Int32(clamping: batchSize), pageToken: pageToken)
        return Task { [client, patience = job.patience] in try await client.fetchExportBatch(request, patience: patience) }
    }

    /// Sends the acknowledgement of a batch, then counts what it recorded.
    private func acknowledge(
        _ written: (acks: [FerryV1.ExportAck], bytes: Int64, failure: (any Error)?), deleted: [String], nextPageToken: String
    ) -> Task<Void, any Error> {
        let request = FerryV1.AckExportBatchRequest(
            lease: lease, acks: written.acks, deletedKeys: deleted,
            checkpoint: FerryV1.SyncCheckpoint(lastKey: nextPageToken))
        return Task { [client, control, patience = job.patience] in
            _ = try await client.ackExportBatch(request, patience: patience)
            control.update { counters in
                counters.synced += Int64(written.acks.count)
                counters.totalAnnotations += Int64(written.acks.reduce(0) { $0 + $1.annotationIDs.count })
                counters.bytes += written.bytes
            }
            WorkerMetrics.exported(written.acks.count)
        }
    }

    private var lease: FerryV1.JobLease { client.lease(for: job) }

    /// Writes every item; returns the acknowledgements of those written and the first failure.
    private func write(_ items: [FerryV1.ExportItem]) async -> (acks: [FerryV1.ExportAck], bytes: Int64, failure: (any Error)?) {
        let results = await settle(items) { [target] item in
            let written = try await target.write(
                key: item.key, bytes: Array(item.contentJSON.utf8), contentType: "application/json")
            return FerryV1.ExportAck(
                taskID: item.taskID, annotationIDs: item.annotationIDs, key: item.key, etag: written.etag ?? "",
                annotationVersions: item.annotationVersions)
        }
        var acks: [FerryV1.ExportAck] = []
        var bytes: Int64 = 0
        var failure: (any Error)?
        for (item, result) in zip(items, results) {
            switch result {
            case .success(let ack):
                acks.append(ack)
                bytes += Int64(item.contentJSON.utf8.count)
            case .failure(let error):
                failure = failure ?? error
            }
        }
        return (acks, bytes, failure)
    }

    /// Deletes every key; returns those deleted and the first failure.
    private func delete(_ keys: [String]) async -> (keys: [String], failure: (any Error)?) {
        let results = await settle(keys) { [target] key in
            try await target.delete(key: key)
            return key
        }
        var deleted: [String] = []
        var failure: (any Error)?
        for result in results {
            switch result {
            case .success(let key): deleted.append(key)
            case .failure(let error): failure = failure ?? error
            }
        }
        return (deleted, failure)
    }

    /// Runs `body` on every item, ``parallelism`` at a time, keeping each outcome: one failure
    /// does not cancel the others, so what succeeded can be acknowledged.
    private func settle<Item: Sendable, Output: Sendable>(
        _ items: [Item], _ body: @escaping @Sendable (Item) async throws -> Output
    ) async -> [Result<Output, any Error>] {
        (try? await BoundedReads.map(items, parallelism: Self.parallelism) { item in
            do { return Result<Output, any Error>.success(try await body(item)) } catch { return .failure(error) }
        }) ?? items.map { _ in .failure(CancellationError()) }
    }
}
