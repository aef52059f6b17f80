public import FerryCore
import FerryCrypto
import FerryProto
public import FerryRPC
public import FerryStore
import FerryProviders
public import Logging

/// `ferry.v1.StorageService`: storage management, sync control and task reads for internal
/// services. Reads apply termination detection; no sync work ever runs inside a call.
public struct StorageService: RPCService {
    let store: any FerryStore
    let validator: StorageValidator
    let enforcer: TerminationEnforcer
    let workers: WorkerInstances
    let arrivals: Wakeup
    let probes: ProbeBoard
    /// Where this process's writes reach open WatchStorages calls.
    let watchHub: StorageWatchHub
    /// How often a watch reads its active storages again for progress: the ping interval.
    let watchInterval: Duration
    /// Queues syncs of export-on-change storages after annotations change.
    let exportFollower: ExportFollower
    /// The cloud providers, for presigning task URLs (no local files: they have no URLs to sign).
    let presigningProviders = ProviderRegistry.standard(ProviderContext(localFilesRoot: nil))
    let clock: any FerryClock
    let logger: Logger

    /// Creates the service.
    ///
    /// - Parameters:
    ///   - store: The state store, through the lease cache shared with the worker service, so
    ///     cancels, purges and deletions reach the leases at once.
    ///   - validator: Checks storage settings.
    ///   - enforcer: Applies termination detection on reads.
    ///   - workers: Which worker processes are connected.
    ///   - arrivals: Woken when a sync is queued, for waiting AcquireJob calls.
    ///   - probes: Where connection checks (`validate`) go to a worker.
    ///   - watchHub: Where this process's writes reach open WatchStorages calls.
    ///   - watchInterval: How often a watch reads its active storages again (the ping interval).
    ///   - clock: The server's clock.
    ///   - logger: Where to log.
    public init(
        store: any FerryStore,
        validator: StorageValidator,
        enforcer: TerminationEnforcer,
        workers: WorkerInstances,
        arrivals: Wakeup,
        probes: ProbeBoard,
        watchHub: StorageWatchHub,
        watchInterval: Duration,
        clock: any FerryClock,
        logger: Logger
    ) {
        self.arrivals = arrivals
        self.probes = probes
        self.watchHub = watchHub
        self.watchInterval = watchInterval
        self.store = store
        self.validator = validator
        self.enforcer = enforcer
        self.workers = workers
        self.clock = clock
        self.logger = logger
        self.exportFollower = ExportFollower(
            pollInterval: .milliseconds(200), logger: logger,
            queue: { [store, arrivals] storageID in
                let result = try await store.startSync(
                    storageID: storageID, options: .default, now: clock.now(),
                    jobID: "job-" + SecureRandom.hexToken(byteCount: 12))
                if !result.isAlreadyRunning {
                    arrivals.wake()
                    ServerMetrics.syncStarted(kind: .export)
                }
                return result.syncInfo.status
            },
            status: { [store] storageID in try await store.storage(id: storageID).syncInfo.status })
    }

    public func registerMethods(with router: inout RPCRouter) {
        typealias Methods = FerryV1.Methods.StorageService
        // Admin actions write an audit line each (AuditLog); reads do not.
        let audit = AuditLog(logger: logger)
        router.registerUnary(
            Methods.createStorage, deserializer: .init(), serializer: .init(),
            handler: audit.audited(Methods.createStorage, subject: { _, response in
                response?.storage.map { ["storage": "\($0.id)"] } ?? [:]
            }, create))
        router.registerUnary(Methods.getStorage, deserializer: .init(), serializer: .init(), handler: get)
        router.registerUnary(
            Methods.updateStorage, deserializer: .init(), serializer: .init(),
            handler: audit.audited(Methods.updateStorage, subject: { request, _ in ["storage": "\(request.id)"] }, update))
        router.registerUnary(
            Methods.deleteStorage, deserializer: .init(), serializer: .init(),
            handler: audit.audited(Methods.deleteStorage, subject: { request, _ in ["storage": "\(request.id)"] }, delete))
        router.registerUnary(Methods.listStorages, deserializer: .init(), serializer: .init(), handler: list)
        router.registerUnary(
            Methods.startSync, deserializer: .init(), serializer: .init(),
            handler: audit.audited(Methods.startSync, subject: { request, response in
                ["storage": "\(request.storageID)", "job": "\(response?.jobID ?? "-")"]
            }, startSync))
        router.registerUnary(
            Methods.cancelSync, deserializer: .init(), serializer: .init(),
            handler: audit.audited(Methods.cancelSync, subject: { request, _ in ["storage": "\(request.storageID)"] }, cancelSync))
        router.registerUnary(
            Methods.deleteJob, deserializer: .init(), serializer: .init(),
            handler: audit.audited(Methods.deleteJob, subject: { request, _ in ["job": "\(request.jobID)"] }, deleteJob))
        router.registerUnary(
            Methods.putAnnotations, deserializer: .init(), serializer: .init(),
            handler: audit.audited(Methods.putAnnotations, subject: { request, _ in
                ["project": "\(request.projectID)", "annotations": "\(request.annotations.count)"]
            }, putAnnotations))
        router.registerUnary(
            Methods.deleteAnnotations, deserializer: .init(), serializer: .init(),
            handler: audit.audited(Methods.deleteAnnotations, subject: { request, _ in
                ["project": "\(request.projectID)", "annotations": "\(request.annotationIDs.count)"]
            }, deleteAnnotations))
        router.registerUnary(
            Methods.listDatasetObjects, deserializer: .init(), serializer: .init(), handler: listDatasetObjects)
        router.registerUnary(Methods.listWorkers, deserializer: .init(), serializer: .init(), handler: listWorkers)
        router.registerUnary(Methods.listJobs, deserializer: .init(), serializer: .init(), handler: listJobs)
        router.registerServerStreaming(
            Methods.listTasks,
            deserializer: ProtobufDeserializer<FerryV1.ListTasksRequest>(),
            serializer: ProtobufSerializer<FerryV1.ListTasksResponse>(),
            handler: listTasks
        )
        router.registerServerStreaming(
            Methods.watchStorages,
            deserializer: ProtobufDeserializer<FerryV1.WatchStoragesRequest>(),
            serializer: ProtobufSerializer<FerryV1.WatchStoragesResponse>(),
            handler: watchStorages
        )
        // A watch lasts until its client stops it: at shutdown it ends at once (UNAVAILABLE).
        router.endAtShutdown(Methods.watchStorages)
    }
}

extension RPCRouter {
    /// Registers a unary method whose messages are ``FerryMessage``s.
    mutating func registerUnary<Request: FerryMessage, Response: FerryMessage>(
        _ method: MethodDescriptor,
        deserializer: ProtobufDeserializer<Request>,
        serializer: ProtobufSerializer<Response>,
        handler: @escaping @Sendable (Request, ServerContext) async throws -> Response
    ) {
        // Erased so the call resolves to FerryRPC's generic `registerUnary`, not to this more
        // specific overload (calling it directly recursed until the stack overflowed).
        let deserializer: any MessageDeserializer<Request> = deserializer
        let serializer: any MessageSerializer<Response> = serializer
        registerUnary(method, deserializer: deserializer, serializer: serializer) { request, context in
            try await RPCError.translatingStoreErrors { try await handler(request, context) }
        }
    }
}
