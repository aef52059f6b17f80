import FerryCore
import FerryProto
import FerryRPC
import FerryStore

extension StorageService {
    /// One page of a dataset storage's catalogue, in ascending key order.
    @Sendable
    func listDatasetObjects(_ request: FerryV1.ListDatasetObjectsRequest, _ context: ServerContext) async throws
        -> FerryV1.ListDatasetObjectsResponse
    {
        guard request.storageID > 0 else {
            throw RPCError(code: .invalidArgument, message: "storage_id: required")
        }
        guard request.pageSize >= 0 else {
            throw RPCError(code: .invalidArgument, message: "page_size: must not be negative")
        }
        var afterKey: String?
        if !request.pageToken.isEmpty {
            guard let key = DatasetPageToken.key(from: request.pageToken) else {
                throw RPCError(code: .invalidArgument, message: "page_token: not a token this server issued")
            }
            afterKey = key
        }
        let page = try await store.listDatasetObjects(
            DatasetObjectQuery(
                storageID: request.storageID,
                prefix: request.prefix,
                includeDeleted: request.includeDeleted,
                pageSize: Int(request.pageSize),
                afterKey: afterKey
            )
        )
        return FerryV1.ListDatasetObjectsResponse(
            objects: page.objects.map(\.proto),
            nextPageToken: page.nextAfterKey.map(DatasetPageToken.token(after:)) ?? ""
        )
    }
}
