import FerryMapping
import FerryCore
import FerryCrypto
import FerryProto
import FerryRPC
import FerryStore
import Logging

extension StorageService {
    @Sendable
    func list(_ request: FerryV1.ListStoragesRequest, _ context: ServerContext) async throws
        -> FerryV1.ListStoragesResponse
    {
        let query = try Self.query(request)
        if !query.statuses.isEmpty {
            // A status filter sees statuses after detection: settle stale syncs first.
            try await enforcer.enforceActive(like: query)
        }
        let page = try await store.listStorages(query)
        var storages: [FerryV1.Storage] = []
        storages.reserveCapacity(page.storages.count)
        for storage in page.storages {
            let observation = page.jobObservations[storage.id] ?? .missing
            storages.append(wire(try await enforcer.enforce(storage, observation: observation)))
        }
        return FerryV1.ListStoragesResponse(
            storages: storages,
            nextPageToken: page.nextCursor?.token ?? "",
            connectedWorkers: Int32(clamping: workers.connectedCount),
            totalCount: page.totalCount
        )
    }

    static func query(_ request: FerryV1.ListStoragesRequest) throws -> StorageQuery {
        let filter = request.filter ?? FerryV1.StorageFilter()
        var cursor: StorageCursor?
        if !request.pageToken.isEmpty {
            guard let parsed = StorageCursor(token: request.pageToken) else {
                throw RPCError(code: .invalidArgument, message: "page_token: not a token this server issued")
            }
            cursor = parsed
        }
        guard request.pageSize >= 0 else {
            throw RPCError(code: .invalidArgument, message: "page_size: must not be negative")
        }
        return StorageQuery(
            projectID: filter.projectID == 0 ? nil : filter.projectID,
            kinds: Set(filter.kinds.compactMap(StorageKind.init)),
            providers: Set(filter.providers.compactMap(StorageProvider.init)),
            statuses: Set(filter.statuses.compactMap(SyncStatus.init)),
            titleContains: filter.titleContains.isEmpty ? nil : filter.titleContains,
            pageSize: Int(request.pageSize),
            cursor: cursor
        )
    }

    @Sendable
    func startSync(_ request: FerryV1.StartSyncRequest, _ context: ServerContext) async throws
        -> FerryV1.StartSyncResponse
    {
        let storage = try await enforcer.storage(id: request.storageID)
        guard storage.settings.synchronizable else {
            throw RPCError(
                code: .failedPrecondition,
                message: "Storage \(storage.id) has spec.synchronizable false; set it to true "
                    + "(UpdateStorage with update_mask [\"synchronizable\"], or ferryctl storage update "
                    + "\(storage.id) --synchronizable true) to sync it")
        }
        let options = SyncOptions(
            onlyNew: request.options?.onlyNew ?? false, fullExport: request.options?.fullExport ?? false)
        let result = try await store.startSync(
            storageID: storage.id,
            options: options,
            now: clock.now(),
            jobID: "job-" + SecureRandom.hexToken(byteCount: 12)
        )
        if !result.isAlreadyRunning {
            arrivals.wake()
            ServerMetrics.syncStarted(kind: storage.kind)
            logger.info("Sync queued", metadata: ["storage": "\(storage.id)", "job": "\(result.jobID)"])
        }
        return FerryV1.StartSyncResponse(
            jobID: result.jobID,
            alreadyRunning: result.isAlreadyRunning,
            sync: wire(result.syncInfo, of: storage)
        )
    }

    @Sendable
    func cancelSync(_ request: FerryV1.CancelSyncRequest, _ context: ServerContext) async throws
        -> FerryV1.CancelSyncResponse
    {
        let requester = Principal.current?.description ?? "an unknown caller"
        let reason = request.reason.isEmpty ? "by \(requester)" : "by \(requester): \(request.reason)"
        let result = try await store.requestCancel(storageID: request.storageID, reason: reason, now: clock.now())
        if result.cancelRequested, let jobID = result.jobID {
            logger.notice(
                "Cancel requested",
                metadata: ["storage": "\(request.storageID)", "job": "\(jobID)", "by": "\(requester)",
                           "reason": "\(request.reason)"]
            )
        }
        // A sync no worker claimed yet is settled (CANCELLED) now, not on the next read.
        let sync = result.cancelRequested ? try await enforcer.storage(id: request.storageID).syncInfo : result.syncInfo
        return FerryV1.CancelSyncResponse(jobID: result.jobID ?? "", cancelRequested: result.cancelRequested, sync: sync.proto)
    }

    @Sendable
    func deleteJob(_ request: FerryV1.DeleteJobRequest, _ context: ServerContext) async throws
        -> FerryV1.DeleteJobResponse
    {
        guard !request.jobID.isEmpty else {
            throw RPCError(code: .invalidArgument, message: "job_id: required")
        }
        let deleted = try await store.deleteJob(id: request.jobID)
        if deleted {
            logger.notice("Job deleted from the queue by an operator", metadata: ["job": "\(request.jobID)"])
        }
        return FerryV1.DeleteJobResponse(deleted: deleted)
    }

    /// Streams a project's tasks in id order, in pages, until the end or the limit.
    @Sendable
    func listTasks(
        _ request: FerryV1.ListTasksRequest,
        _ writer: RPCWriter<FerryV1.ListTasksResponse>,
        _ context: ServerContext
    ) async throws -> Metadata {
        guard request.projectID > 0 else {
            throw RPCError(code: .invalidArgument, message: "project_id: required")
        }
        let limit = request.limit > 0 ? Int(request.limit) : Int.max
        var after = request.afterTaskID
        var sent = 0
        var presigner = TaskURLPresigner(store: store, registry: presigningProviders, now: clock.now())
        while sent < limit {
            let page = try await RPCError.translatingStoreErrors {
                try await store.listTasks(
                    projectID: request.projectID,
                    storageID: request.storageID == 0 ? nil : request.storageID,
                    afterID: after,
                    limit: min(500, limit - sent)
                )
            }
            guard let last = page.last else { break }
            let annotations = try await RPCError.translatingStoreErrors {
                try await store.annotations(ofTasks: page.map(\.id))
            }
            var tasks: [FerryV1.Task] = []
            tasks.reserveCapacity(page.count)
            for task in page {
                var proto = try await presigner.resolve(task.proto)
                let own = annotations[task.id] ?? []
                proto.annotationCount = Int32(own.count)
                if request.includeAnnotations { proto.annotations = own.map(\.proto) }
                tasks.append(proto)
            }
            try await writer.write(FerryV1.ListTasksResponse(tasks: tasks))
            sent += page.count
            after = last.id
        }
        return [:]
    }
}

extension TaskRecord {
    /// The wire form, with its import link as the task's source.
    var proto: FerryV1.Task {
        var sources: [FerryV1.TaskSource] = []
        if let storageID, let key {
            sources.append(FerryV1.TaskSource(storageID: storageID, key: key, rowIndex: rowIndex ?? 0))
        }
        return FerryV1.Task(
            id: id,
            projectID: projectID,
            dataJSON: data,
            sources: sources,
            createdUnixMicros: createdAt.unixMicroseconds,
            metaJSON: platformFields.meta ?? "",
            predictionsJSON: platformFields.predictions ?? "",
            importedAnnotationsJSON: platformFields.annotations ?? ""
        )
    }
}
