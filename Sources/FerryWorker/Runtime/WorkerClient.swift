public import FerryProto
public import FerryRPC
public import FerryTransport
public import Logging

/// The worker's typed calls to `ferryd`, over one multiplexed TLS connection that the transport
/// remakes when it is lost.
///
/// Calls that are safe to repeat (key checks, import batches: the server dedupes) are retried
/// with backoff while the server is unreachable, for at most a given time.
public struct WorkerClient: Sendable {
    /// This worker process's instance id, sent with AcquireJob and with every lease.
    public let instanceID: String
    private let rpc: RPCClient
    private let backoff: ConnectionBackoff
    private let callTimeout: Duration
    private let serverMessageLimit: @Sendable () -> Int?
    private let logger: Logger

    /// The largest message a peer accepts when it has not said otherwise (`MAX_MESSAGE_SIZE`'s
    /// default in docs/PROTOCOL.md §9).
    public static let defaultMaxMessageSize = 4 * 1024 * 1024

    /// Creates a client.
    ///
    /// - Parameters:
    ///   - rpc: The RPC client over the worker's transport.
    ///   - instanceID: This worker process's instance id.
    ///   - backoff: How retries are spaced.
    ///   - callTimeout: The deadline of one batch call.
    ///   - serverMessageLimit: The largest request the server announced in its SETTINGS, if known
    ///     (``FerryTransport/FerryClientTransport/serverMaxMessageSize``).
    ///   - logger: Where retries are logged.
    public init(
        rpc: RPCClient,
        instanceID: String,
        backoff: ConnectionBackoff,
        callTimeout: Duration = .seconds(60),
        serverMessageLimit: @escaping @Sendable () -> Int? = { nil },
        logger: Logger
    ) {
        self.instanceID = instanceID
        self.rpc = rpc
        self.backoff = backoff
        self.callTimeout = callTimeout
        self.serverMessageLimit = serverMessageLimit
        self.logger = logger
    }

    /// The lease this process presents for a job it claimed.
    ///
    /// - Parameter job: The claimed job.
    /// - Returns: Its id and token, with this process's instance id.
    public func lease(for job: FerryV1.Job) -> FerryV1.JobLease {
        FerryV1.JobLease(jobID: job.id, leaseToken: job.leaseToken, instanceID: instanceID)
    }

    /// The largest request message the server accepts: what it announced on the current
    /// connection, or the protocol's default.
    public var maxRequestSize: Int { serverMessageLimit() ?? Self.defaultMaxMessageSize }

    /// One AcquireJob long-poll.
    ///
    /// - Parameter request: Worker identity, capabilities and wait time.
    /// - Returns: The claimed job, if one came during the wait.
    /// - Throws: ``RPCError``.
    public func acquireJob(_ request: FerryV1.AcquireJobRequest) async throws -> FerryV1.AcquireJobResponse {
        let wait = Duration.microseconds(request.waitTimeMicros)
        return try await unary(FerryV1.Methods.WorkerService.acquireJob, request, timeout: wait + .seconds(10))
    }

    /// Answers a connection check (not retried: the server waits for it only briefly).
    ///
    /// - Parameter report: How the check went.
    /// - Throws: ``RPCError``.
    public func reportProbe(_ report: FerryV1.ReportProbeRequest) async throws {
        let _: FerryV1.ReportProbeResponse = try await unary(
            FerryV1.Methods.WorkerService.reportProbe, report, timeout: callTimeout)
    }

    /// Which keys are new, retried while the server is away for at most `patience`.
    public func checkImportKeys(_ request: FerryV1.CheckImportKeysRequest, patience: Duration) async throws
        -> FerryV1.CheckImportKeysResponse
    {
        try await retrying("CheckImportKeys", patience: patience) {
            try await unary(FerryV1.Methods.WorkerService.checkImportKeys, request, timeout: callTimeout)
        }
    }

    /// Hands over an import batch, retried while the server is away for at most `patience`.
    ///
    /// - Returns: The reply, and whether the call was repeated to get it (the first attempt may
    ///   have been stored, so links reported as existing may be its own).
    public func submitImportBatch(_ request: FerryV1.SubmitImportBatchRequest, patience: Duration) async throws
        -> (response: FerryV1.SubmitImportBatchResponse, retried: Bool)
    {
        var attempts = 0
        let response: FerryV1.SubmitImportBatchResponse = try await retrying("SubmitImportBatch", patience: patience) {
            attempts += 1
            return try await unary(FerryV1.Methods.WorkerService.submitImportBatch, request, timeout: callTimeout)
        }
        return (response, attempts > 1)
    }

    /// The next export batch, retried while the server is away for at most `patience`.
    public func fetchExportBatch(_ request: FerryV1.FetchExportBatchRequest, patience: Duration) async throws
        -> FerryV1.FetchExportBatchResponse
    {
        try await retrying("FetchExportBatch", patience: patience) {
            try await unary(FerryV1.Methods.WorkerService.fetchExportBatch, request, timeout: callTimeout)
        }
    }

    /// Acknowledges what an export batch wrote, retried while the server is away for at most
    /// `patience` (a repeated acknowledgement records the same links again).
    public func ackExportBatch(_ request: FerryV1.AckExportBatchRequest, patience: Duration) async throws
        -> FerryV1.AckExportBatchResponse
    {
        try await retrying("AckExportBatch", patience: patience) {
            try await unary(FerryV1.Methods.WorkerService.ackExportBatch, request, timeout: callTimeout)
        }
    }

    /// Catalogues a dataset batch, retried while the server is away for at most `patience` (a
    /// repeated batch changes nothing: its objects are then unchanged).
    public func upsertDatasetObjects(_ request: FerryV1.UpsertDatasetObjectsRequest, patience: Duration) async throws
        -> FerryV1.UpsertDatasetObjectsResponse
    {
        try await retrying("UpsertDatasetObjects", patience: patience) {
            try await unary(FerryV1.Methods.WorkerService.upsertDatasetObjects, request, timeout: callTimeout)
        }
    }

    /// Ends a dataset listing, retried while the server is away for at most `patience` (repeating
    /// it tombstones nothing more).
    public func completeDatasetScan(_ request: FerryV1.CompleteDatasetScanRequest, patience: Duration) async throws
        -> FerryV1.CompleteDatasetScanResponse
    {
        try await retrying("CompleteDatasetScan", patience: patience) {
            try await unary(FerryV1.Methods.WorkerService.completeDatasetScan, request, timeout: callTimeout)
        }
    }

    /// One Heartbeat stream.
    ///
    /// - Parameters:
    ///   - requestProducer: Writes heartbeats; the stream half-closes when it returns.
    ///   - onResponse: Reads the replies and returns the result.
    /// - Returns: What `onResponse` returned.
    /// - Throws: ``RPCError``.
    public func heartbeat<Result: Sendable>(
        requestProducer: @escaping @Sendable (RPCWriter<FerryV1.HeartbeatRequest>) async throws -> Void,
        onResponse: @escaping @Sendable (ClientResponseStream<FerryV1.HeartbeatResponse>) async throws -> Result
    ) async throws -> Result {
        try await rpc.bidirectional(
            FerryV1.Methods.WorkerService.heartbeat,
            serializer: ProtobufSerializer<FerryV1.HeartbeatRequest>(),
            deserializer: ProtobufDeserializer<FerryV1.HeartbeatResponse>(),
            requestProducer: requestProducer,
            onResponse: onResponse
        )
    }

    /// The wait before retry number `failures + 1`.
    public func retryDelay(afterFailures failures: Int) -> Duration {
        backoff.delay(afterFailures: failures)
    }

    /// Whether an error means "the server could not be reached or did not answer in time", the
    /// failures worth retrying.
    public static func isTransient(_ error: any Error) -> Bool {
        guard let error = error as? RPCError else { return false }
        return error.code == .unavailable || error.code == .deadlineExceeded
    }

    private func unary<Request: FerryMessage, Response: FerryMessage>(
        _ method: MethodDescriptor,
        _ request: Request,
        timeout: Duration
    ) async throws -> Response {
        try await rpc.unary(
            method,
            request: request,
            serializer: ProtobufSerializer<Request>(),
            deserializer: ProtobufDeserializer<Response>(),
            options: CallOptions(timeout: timeout)
        )
    }

    private func retrying<Result>(
        _ name: String,
        patience: Duration,
        _ body: () async throws -> Result
    ) async throws -> Result {
        let giveUp = ContinuousClock.now + patience
        var failures = 0
        while true {
            do {
                return try await body()
            } catch where Self.isTransient(error) && ContinuousClock.now < giveUp {
                failures += 1
                let delay = retryDelay(afterFailures: failures)
                logger.warning(
                    "Server unreachable; retrying",
                    metadata: ["call": "\(name)", "attempt": "\(failures)", "error": "\(error)", "delay": "\(delay)"]
                )
                try await Task.sleep(for: delay)
            }
        }
    }
}
