public import FerryProto
import FerryCore
public import FerryProviders
public import Logging

/// Runs one claimed job: the heartbeat timer and the sync loop side by side, then the terminal
/// outcome. Stopping the job (cancel request, lost lease, shutdown) cancels the sync loop at once.
public struct JobRunner: Sendable {
    private let client: WorkerClient
    private let stores: @Sendable (FerryV1.Job) throws -> any ObjectStore
    private let workerID: String
    private let batchSize: Int
    private let executors: JobExecutors
    private let logger: Logger

    /// Creates a runner.
    ///
    /// - Parameters:
    ///   - client: The calls to the server.
    ///   - stores: Opens the object store of a job's storage (``JobStores/store(for:)``).
    ///   - workerID: The worker id, for tracebacks and logs.
    ///   - batchSize: Keys per check and tasks per batch.
    ///   - executors: Where sync and heartbeat loops run.
    ///   - logger: Where to log.
    public init(
        client: WorkerClient,
        stores: @escaping @Sendable (FerryV1.Job) throws -> any ObjectStore,
        workerID: String,
        batchSize: Int,
        executors: JobExecutors = .global,
        logger: Logger
    ) {
        self.client = client
        self.stores = stores
        self.workerID = workerID
        self.batchSize = batchSize
        self.executors = executors
        self.logger = logger
    }

    /// Runs the job to its end.
    ///
    /// - Parameters:
    ///   - job: The claimed job.
    ///   - control: Its control; the caller keeps it to stop the job on shutdown.
    public func run(_ job: FerryV1.Job, control: JobControl) async {
        var logger = self.logger
        logger[metadataKey: "job"] = "\(job.id)"
        logger[metadataKey: "storage"] = "\(job.storageID)"
        logger.info("Job started", metadata: ["attempt": "\(job.attempt)"])
        let heartbeats = HeartbeatLoop(job: job, control: control, client: client, logger: logger)
        let heartbeatTask = Task(executorPreference: executors.heartbeats) { await heartbeats.run() }
        let work = Task(executorPreference: executors.syncs) { [self] in try await self.sync(job, control: control) }
        control.onStop { work.cancel() }
        // Cancelling the runner (the shutdown grace period is over) ends both tasks.
        await withTaskCancellationHandler {
            await finish(job, work: work, heartbeats: heartbeatTask, control: control, logger: logger)
        } onCancel: {
            work.cancel()
            heartbeatTask.cancel()
        }
    }

    private func finish(
        _ job: FerryV1.Job,
        work: Task<Void, any Error>,
        heartbeats heartbeatTask: Task<Void, Never>,
        control: JobControl,
        logger: Logger
    ) async {
        let result = await work.result
        let error: (any Error)? = if case .failure(let error) = result { error } else { nil }
        let outcome = JobOutcomes.outcome(
            error: error,
            stopReason: control.stopReason,
            counters: control.counters,
            itemErrors: control.itemErrors,
            workerID: workerID
        )
        control.finish(outcome)
        await heartbeatTask.value
        logger.info(
            "Job ended",
            metadata: [
                "result": "\(outcome.map { "\($0.result)" } ?? "lease lost")",
                "synced": "\(control.counters.synced)",
                "existed": "\(control.counters.existed)",
                "traceback": "\(outcome?.traceback ?? "")",
            ]
        )
    }

    private func sync(_ job: FerryV1.Job, control: JobControl) async throws {
        let store = try stores(job)
        switch job.kind {
        case .import:
            try await ImportRunner(job: job, source: store, client: client, control: control, batchSize: batchSize).run()
        case .export:
            try await ExportRunner(
                job: job, target: store, client: client, control: control,
                batchSize: min(batchSize, ExportRunner.maxBatch)
            ).run()
        case .dataset:
            let marked = try await DatasetRunner(
                job: job, source: store, client: client, control: control, batchSize: batchSize
            ).run()
            logger.info("Dataset listing complete", metadata: ["job": "\(job.id)", "marked_deleted": "\(marked)"])
        default:
            throw ProviderError(subject: "job \(job.id)", message: "this worker does not run \(job.kind) jobs")
        }
    }
}
