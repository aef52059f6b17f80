import FerryCore
import FerryProto
import FerryRPC
import FerryStore

extension WorkerService {
    /// The next objects an export job writes or deletes, after the task its page token names.
    @Sendable
    func fetchExportBatch(_ request: FerryV1.FetchExportBatchRequest, _ context: ServerContext) async throws
        -> FerryV1.FetchExportBatchResponse
    {
        let after: Int64
        if request.pageToken.isEmpty {
            after = 0
        } else if let value = Int64(request.pageToken), value >= 0 {
            after = value
        } else {
            throw RPCError(code: .invalidArgument, message: "page_token: not a token FetchExportBatch returned")
        }
        let limit = request.maxItems > 0 ? Int(request.maxItems) : 200
        let batch = try await withLease(request.lease) { lease, _ in
            try await store.exportBatch(lease: lease, afterTaskID: after, limit: limit)
        }
        return FerryV1.FetchExportBatchResponse(
            items: batch.objects.map { object in
                FerryV1.ExportItem(
                    taskID: object.taskID, annotationIDs: object.annotations.map(\.id), key: object.key,
                    contentJSON: object.content, annotationVersions: object.annotations.map(\.version.unixMicroseconds))
            },
            deleteKeys: batch.deleteKeys,
            nextPageToken: batch.done ? "" : String(batch.lastTaskID),
            done: batch.done
        )
    }

    /// What an export job wrote and deleted: the server records the export links.
    @Sendable
    func ackExportBatch(_ request: FerryV1.AckExportBatchRequest, _ context: ServerContext) async throws
        -> FerryV1.AckExportBatchResponse
    {
        guard request.acks.count <= Self.maxBatch, request.deletedKeys.count <= Self.maxBatch else {
            throw RPCError(code: .invalidArgument, message: "acks, deleted_keys: at most \(Self.maxBatch) per call")
        }
        var written: [ExportWritten] = []
        for (index, ack) in request.acks.enumerated() where ack.error.isEmpty {
            guard ack.annotationIDs.count == ack.annotationVersions.count else {
                throw RPCError(
                    code: .invalidArgument,
                    message: "acks[\(index)]: annotation_versions must give one version per annotation id")
            }
            written.append(
                ExportWritten(
                    taskID: ack.taskID, key: ack.key, etag: ack.etag.isEmpty ? nil : ack.etag,
                    annotations: zip(ack.annotationIDs, ack.annotationVersions).map {
                        ExportedAnnotation(id: $0, version: FerryTime(unixMicroseconds: $1))
                    }))
        }
        let linked = try await withLease(request.lease) { lease, now in
            try await store.acknowledgeExport(
                lease: lease, written: written, deletedKeys: request.deletedKeys,
                checkpoint: request.checkpoint.map { SyncCheckpoint($0, now: now) }, now: now)
        }
        return FerryV1.AckExportBatchResponse(linked: linked)
    }
}
