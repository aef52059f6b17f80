import FerryCore
import FerryProto
import FerryRPC
import FerryStore

extension WorkerService {
    /// A batch of object metadata from a dataset sync's listing, catalogued under the job's lease
    /// with its checkpoint; see ``FerryStore/upsertDatasetObjects(lease:objects:checkpoint:now:)``.
    @Sendable
    func upsertDatasetObjects(_ request: FerryV1.UpsertDatasetObjectsRequest, _ context: ServerContext) async throws
        -> FerryV1.UpsertDatasetObjectsResponse
    {
        guard request.objects.count <= Self.maxBatch else {
            throw RPCError(code: .invalidArgument, message: "objects: at most \(Self.maxBatch) per call")
        }
        let objects = try request.objects.enumerated().map { try DatasetObjectMetadata($1, index: $0) }
        let result = try await withLease(request.lease) { lease, now in
            try await store.upsertDatasetObjects(
                lease: lease,
                objects: objects,
                checkpoint: request.checkpoint.map { SyncCheckpoint($0, now: now) },
                now: now
            )
        }
        return FerryV1.UpsertDatasetObjectsResponse(
            inserted: result.inserted, updated: result.updated, unchanged: result.unchanged)
    }

    /// The end of a dataset sync's listing: with `listing_complete`, the objects the job did not
    /// see are marked deleted; see ``FerryStore/completeDatasetScan(lease:listingComplete:now:)``.
    @Sendable
    func completeDatasetScan(_ request: FerryV1.CompleteDatasetScanRequest, _ context: ServerContext) async throws
        -> FerryV1.CompleteDatasetScanResponse
    {
        let marked = try await withLease(request.lease) { lease, now in
            try await store.completeDatasetScan(lease: lease, listingComplete: request.listingComplete, now: now)
        }
        return FerryV1.CompleteDatasetScanResponse(markedDeleted: marked)
    }
}
