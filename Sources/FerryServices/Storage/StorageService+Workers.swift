import FerryCore
import FerryMapping
import FerryProto
import FerryRPC

extension StorageService {
    /// ListWorkers: each worker id's current process as this replica sees it.
    @Sendable
    func listWorkers(_ request: FerryV1.ListWorkersRequest, _ context: ServerContext) async throws
        -> FerryV1.ListWorkersResponse
    {
        FerryV1.ListWorkersResponse(
            workers: workers.presences().map { presence in
                FerryV1.WorkerInfo(
                    workerID: presence.workerID,
                    instanceID: presence.instanceID,
                    version: presence.version,
                    host: presence.host,
                    kinds: presence.offer.kinds.sorted { $0.rawValue < $1.rawValue }.map(\.proto),
                    providers: presence.offer.providers.sorted { $0.rawValue < $1.rawValue }.map(\.proto),
                    connected: presence.connectedSince != nil,
                    connectedSinceUnixMicros: presence.connectedSince?.unixMicroseconds ?? 0,
                    lastSeenUnixMicros: presence.lastSeen.unixMicroseconds,
                    jobsHeld: Int32(clamping: presence.heartbeats)
                )
            })
    }
}
