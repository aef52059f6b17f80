import FerryMapping
import FerryCore
import FerryCrypto
import FerryProto
import FerryRPC
import FerryStore
import Logging

extension WorkerService {
    /// The longest a worker may ask to wait in one AcquireJob.
    static let maxWait: Duration = .seconds(60)
    /// How often a waiting AcquireJob looks for a job without being woken: a sync queued through
    /// another replica, or a queue changed outside this process, is seen within this time.
    static let pollInterval: Duration = .seconds(1)
    /// The trailer that marks a refusal of a second live process under one worker id.
    public static let duplicateWorkerKey = "ferry-worker-duplicate"

    @Sendable
    func acquireJob(_ request: FerryV1.AcquireJobRequest, _ context: ServerContext) async throws
        -> FerryV1.AcquireJobResponse
    {
        let workerID = try callingWorker()
        guard request.workerID.isEmpty || request.workerID == workerID else {
            throw RPCError(code: .permissionDenied, message: "worker_id must be the certificate's name '\(workerID)'")
        }
        guard !request.instanceID.isEmpty else {
            throw RPCError(code: .invalidArgument, message: "instance_id: required (a fresh id per process start)")
        }
        return try await instances.withOpenCall(workerID: workerID, instanceID: request.instanceID) {
            try await register(workerID: workerID, instanceID: request.instanceID)
            let capabilities = request.capabilities ?? FerryV1.WorkerCapabilities()
            instances.record(
                WorkerInstances.Offer(
                    kinds: Set(capabilities.kinds.compactMap(StorageKind.init)),
                    providers: Set(capabilities.providers.compactMap(StorageProvider.init))),
                version: capabilities.version, host: context.peer.address,
                workerID: workerID, instanceID: request.instanceID)
            return try await claim(request, workerID: workerID, context: context)
        }
    }

    /// Makes the caller its worker id's current process, failing the jobs of a previous one, unless
    /// another process under the same id is alive (`ALREADY_EXISTS`, which the worker treats as fatal).
    private func register(workerID: String, instanceID: String) async throws {
        switch instances.register(workerID: workerID, instanceID: instanceID) {
        case .current:
            return
        case .refused(let live):
            logger.warning(
                "Refused a second live process under one worker id",
                metadata: ["worker": "\(workerID)", "instance": "\(instanceID)", "live": "\(live)"]
            )
            throw RPCError(
                code: .alreadyExists,
                message: "Worker id '\(workerID)' is in use by another running process (instance \(live)); "
                    + "give each worker process its own certificate and worker id",
                metadata: [Self.duplicateWorkerKey: "true"]
            )
        case .replaced:
            let failed = try await store.registerWorkerInstance(workerID: workerID, instanceID: instanceID, now: clock.now())
            if !failed.isEmpty {
                logger.warning(
                    "A worker restarted; the jobs its previous process held have failed",
                    metadata: ["worker": "\(workerID)", "jobs": "\(failed.joined(separator: ","))"]
                )
            }
        }
    }

    private func claim(_ request: FerryV1.AcquireJobRequest, workerID: String, context: ServerContext) async throws
        -> FerryV1.AcquireJobResponse
    {
        let capabilities = request.capabilities ?? FerryV1.WorkerCapabilities()
        let kinds = Set(capabilities.kinds.compactMap(StorageKind.init))
        let providers = Set(capabilities.providers.compactMap(StorageProvider.init))
        let wait = min(Duration.microseconds(max(0, request.waitTimeMicros)), Self.maxWait)
        let deadline = min(ContinuousClock.now + wait, context.deadline ?? .now + wait)
        while true {
            let seen = arrivals.generation
            guard !draining.isDraining else {
                throw RPCError(code: .unavailable, message: "The server is shutting down; poll again after reconnecting")
            }
            if let probe = probes.take(providers: providers, workerID: workerID) {
                return FerryV1.AcquireJobResponse(probe: probe)
            }
            let now = clock.now()
            if let claimed = try await store.claimJob(
                workerID: workerID,
                instanceID: request.instanceID,
                kinds: kinds,
                providers: providers,
                now: now,
                leaseToken: SecureRandom.hexToken(byteCount: 16)
            ) {
                heartbeats.claimed(jobID: claimed.job.id, at: now)
                logger.info(
                    "Job claimed", metadata: ["job": "\(claimed.job.id)", "storage": "\(claimed.storage.id)", "worker": "\(workerID)"])
                return FerryV1.AcquireJobResponse(job: jobMessage(claimed))
            }
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else {
                return FerryV1.AcquireJobResponse(retryAfterMicros: 0)
            }
            await arrivals.wait(after: seen, upTo: min(Self.pollInterval, remaining))
            try Task.checkCancellation()
        }
    }

    private func jobMessage(_ claimed: ClaimedJob) -> FerryV1.Job {
        let job = claimed.job
        return FerryV1.Job(
            id: job.id,
            storageID: job.storageID,
            kind: job.kind.proto,
            attempt: Int32(clamping: job.attempt),
            timeQueuedUnixMicros: job.createdAt.unixMicroseconds,
            leaseToken: job.leaseToken ?? "",
            pingIntervalMicros: policy.pingInterval.microseconds,
            staleAfterMicros: policy.staleAfter.microseconds,
            storage: StorageSpecMapping.spec(kind: claimed.storage.kind, settings: claimed.storage.settings),
            credentials: claimed.secrets.revealedEntries().map { FerryV1.Secret(name: $0.name, value: $0.value) },
            options: FerryV1.SyncOptions(onlyNew: job.options.onlyNew, fullExport: job.options.fullExport),
            checkpoint: job.checkpoint?.proto
        )
    }

    @Sendable
    func reportProbe(_ request: FerryV1.ReportProbeRequest, _ context: ServerContext) async throws
        -> FerryV1.ReportProbeResponse
    {
        try probes.report(request, workerID: try callingWorker())
        return FerryV1.ReportProbeResponse()
    }
}
