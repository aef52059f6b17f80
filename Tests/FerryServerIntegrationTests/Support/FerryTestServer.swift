import FerryCore
import FerryCrypto
import FerryProto
import FerryRPC
import FerryServices
import FerryStore
import FerryTLS
import FerryTestSupport
import FerryTransport
import Foundation
import Testing
import Logging
import NIOCore
import Synchronization

/// A real `ferryd` assembled in-process the way ``FerryServerProcess`` does it: SQLite store in a
/// temporary directory, TLS on 127.0.0.1 with an ephemeral port, the auth interceptor with
/// ``AccessPolicy/ferry``, a system clock (or one the test moves) and short termination intervals.
struct FerryTestServer: Sendable {
    static let adminToken = "admin-token"
    static let readerToken = "reader-token"
    /// Short intervals for tests that wait for a verdict on the system clock or move the clock.
    static let policy = TerminationPolicy(
        pingInterval: .milliseconds(100),
        staleAfter: .seconds(1),  // Ten intervals: a loaded test machine may stall a worker's beat for a while.
        queuedTimeout: .seconds(2)
    )
    /// The default: the same ping interval, but verdicts far enough away that a test machine busy
    /// starting dozens of suites (a job claimed, then run seconds later) never sees one it did not ask for.
    static let patientPolicy = TerminationPolicy(
        pingInterval: .milliseconds(100),
        staleAfter: .seconds(60),
        queuedTimeout: .seconds(120)
    )

    let port: Int
    let directory: String
    let localFilesRoot: String
    let store: any FerryStore
    let logs: LogCapture

    /// Runs `body` against a fresh server on a fresh database, then drains it and closes the store.
    static func with<Result: Sendable>(
        database: TestDatabase = .sqlite,
        clock: any FerryClock = SystemClock(),
        policy: TerminationPolicy = FerryTestServer.patientPolicy,
        _ body: @Sendable (FerryTestServer) async throws -> Result
    ) async throws -> Result {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("ferry-it-\(UUID().uuidString)").path
        let localRoot = directory + "/files"
        try FileManager.default.createDirectory(atPath: localRoot, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let logs = LogCapture()
        let logger = Logger(label: "ferryd-test") { _ in CapturingLogHandler(capture: logs) }
        let pki = TestPKI.shared
        let tls = try TLSContext(
            configuration: .server(
                certificateChainPath: pki.serverCertificate,
                privateKeyPath: pki.serverKey,
                trustRootsPath: pki.caPath,
                clientCertificateVerification: .optional,
                applicationProtocols: [FerryProtocol.alpn]
            )
        )
        let tokens = try BearerTokenRegistry(
            parsing: BearerTokenRegistry.line(forToken: adminToken, role: .admin, name: "ops") + "\n"
                + BearerTokenRegistry.line(forToken: readerToken, role: .reader, name: "dashboard") + "\n"
        )
        let validator = StorageValidator(configuration: .init(localFilesRoot: try LocalFilesRoot(localRoot)))
        let sealer = try AESSecretSealer(key: SecureRandom.bytes(32))
        let store: any FerryStore
        switch database {
        case .sqlite:
            store = try await SQLiteFerryStore.open(path: directory + "/ferry.sqlite", sealer: sealer, logger: logger)
        case .postgres:
            store = try await PostgresFerryStore.open(
                url: try await PostgresServer.shared().createDatabase(), sealer: sealer, logger: logger)
        }

        let services = FerryServiceSet(
            store: store, policy: policy, validator: validator, clock: clock, logger: logger
        ).services
        let transport = FerryServerTransport(
            host: "127.0.0.1", port: 0, tls: tls, configuration: ServerTransportConfiguration())
        let streams = ThreadPoolTaskExecutor(threads: 2)
        defer { streams.shutdown() }
        let server = RPCServer(
            transport: transport,
            services: services,
            interceptors: [AuthInterceptor(tokens: tokens, policy: .ferry)],
            streamingExecutor: streams
        )
        let result: Result
        do {
            result = try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await server.serve() }
                let address = try await transport.listeningAddress()
                let testServer = FerryTestServer(
                    port: address.port!, directory: directory, localFilesRoot: localRoot, store: store, logs: logs)
                do {
                    let result = try await body(testServer)
                    server.beginGracefulShutdown()
                    try await group.waitForAll()
                    return result
                } catch {
                    server.beginGracefulShutdown()
                    try? await group.waitForAll()
                    throw error
                }
            }
        } catch {
            try? await store.close()
            throw error
        }
        try await store.close()
        return result
    }

    enum Identity: Sendable {
        /// No client certificate, no token.
        case anonymous
        /// No client certificate, a bearer token.
        case token(String)
        /// The worker certificate (`ferry://worker/worker-1`), no token.
        case worker
        /// Another worker's certificate (`ferry://worker/worker-2`), no token.
        case secondWorker

        static let admin = Identity.token(FerryTestServer.adminToken)
        static let reader = Identity.token(FerryTestServer.readerToken)

        /// The client certificate and key to present, and the metadata to send with every call.
        var credentials: (certificate: String?, key: String?, metadata: Metadata) {
            let pki = TestPKI.shared
            switch self {
            case .anonymous: return (nil, nil, [:])
            case .token(let token): return (nil, nil, ["authorization": "Bearer \(token)"])
            case .worker: return (pki.workerCertificate, pki.workerKey, [:])
            case .secondWorker: return (pki.secondWorkerCertificate, pki.secondWorkerKey, [:])
            }
        }
    }

    /// Runs `body` with a client of the given identity; its transport is closed afterwards.
    func withClient<Result: Sendable>(
        _ identity: Identity,
        _ body: (FerryClient) async throws -> Result
    ) async throws -> Result {
        let credentials = identity.credentials
        let tls = try TLSContext(configuration: .client(
            trustRootsPath: TestPKI.shared.caPath, certificateChainPath: credentials.certificate,
            privateKeyPath: credentials.key, applicationProtocols: [FerryProtocol.alpn]))
        let transport = FerryClientTransport(
            host: "127.0.0.1", port: port, serverHostname: "localhost", tls: tls,
            configuration: ClientTransportConfiguration())
        do {
            let result = try await body(FerryClient(rpc: RPCClient(transport: transport), metadata: credentials.metadata))
            await transport.close()
            return result
        } catch {
            await transport.close()
            throw error
        }
    }
}

/// Typed calls over an ``RPCClient`` with fixed call metadata.
struct FerryClient: Sendable {
    typealias Storage = FerryV1.Methods.StorageService
    typealias Worker = FerryV1.Methods.WorkerService

    let rpc: RPCClient
    let metadata: Metadata

    var options: CallOptions { CallOptions(metadata: metadata, timeout: .seconds(30)) }

    func unary<Request: FerryMessage, Response: FerryMessage>(
        _ method: MethodDescriptor, _ request: Request, as: Response.Type = Response.self
    ) async throws -> Response {
        try await rpc.unary(
            method, request: request, serializer: ProtobufSerializer<Request>(),
            deserializer: ProtobufDeserializer<Response>(), options: options)
    }

    func createStorage(_ request: FerryV1.CreateStorageRequest) async throws -> FerryV1.CreateStorageResponse {
        try await unary(Storage.createStorage, request)
    }

    func getStorage(_ id: Int64) async throws -> FerryV1.GetStorageResponse {
        try await unary(Storage.getStorage, FerryV1.GetStorageRequest(id: id))
    }

    func listStorages(_ request: FerryV1.ListStoragesRequest = .init()) async throws -> FerryV1.ListStoragesResponse {
        try await unary(Storage.listStorages, request)
    }

    /// The storage as ListStorages reports it (which applies termination detection).
    func listed(_ id: Int64) async throws -> FerryV1.Storage {
        let reply = try await listStorages()
        guard let storage = reply.storages.first(where: { $0.id == id }) else {
            throw RPCError(code: .notFound, message: "storage \(id) not listed")
        }
        return storage
    }

    func startSync(_ storageID: Int64) async throws -> FerryV1.StartSyncResponse {
        try await unary(Storage.startSync, FerryV1.StartSyncRequest(storageID: storageID))
    }

    func deleteJob(_ jobID: String) async throws -> FerryV1.DeleteJobResponse {
        try await unary(Storage.deleteJob, FerryV1.DeleteJobRequest(jobID: jobID))
    }

    func acquireJob(instance: String, wait: Duration = .seconds(1)) async throws -> FerryV1.AcquireJobResponse {
        let micros = wait.components.seconds * 1_000_000 + wait.components.attoseconds / 1_000_000_000_000
        return try await unary(
            Worker.acquireJob,
            FerryV1.AcquireJobRequest(instanceID: instance, waitTimeMicros: micros))
    }

    func checkImportKeys(_ lease: FerryV1.JobLease, _ keys: [String]) async throws -> FerryV1.CheckImportKeysResponse {
        try await unary(Worker.checkImportKeys, FerryV1.CheckImportKeysRequest(lease: lease, keys: keys))
    }

    func submit(_ lease: FerryV1.JobLease, _ tasks: [FerryV1.ImportTask]) async throws
        -> FerryV1.SubmitImportBatchResponse
    {
        try await unary(Worker.submitImportBatch, FerryV1.SubmitImportBatchRequest(lease: lease, tasks: tasks))
    }

    /// Every task of a project, streamed.
    func listTasks(projectID: Int64) async throws -> [FerryV1.Task] {
        try await rpc.serverStreaming(
            Storage.listTasks, request: FerryV1.ListTasksRequest(projectID: projectID),
            serializer: ProtobufSerializer<FerryV1.ListTasksRequest>(),
            deserializer: ProtobufDeserializer<FerryV1.ListTasksResponse>(), options: options
        ) { responses in
            var tasks: [FerryV1.Task] = []
            for try await response in responses { tasks += response.tasks }
            return tasks
        }
    }

    /// Opens WatchStorages, with no deadline, and runs `body` over its events.
    func watch<Result: Sendable>(
        _ request: FerryV1.WatchStoragesRequest,
        _ body: @escaping @Sendable (ClientResponseStream<FerryV1.WatchStoragesResponse>) async throws -> Result
    ) async throws -> Result {
        try await rpc.serverStreaming(
            Storage.watchStorages, request: request,
            serializer: ProtobufSerializer<FerryV1.WatchStoragesRequest>(),
            deserializer: ProtobufDeserializer<FerryV1.WatchStoragesResponse>(),
            options: CallOptions(metadata: metadata, timeout: nil), onResponse: body)
    }

    /// Opens a Heartbeat stream and runs `body` with a session that sends one request and
    /// waits for its reply.
    func heartbeat<Result: Sendable>(
        _ body: @escaping @Sendable (HeartbeatSession) async throws -> Result
    ) async throws -> Result {
        let (requests, continuation) = AsyncStream<FerryV1.HeartbeatRequest>.makeStream()
        return try await rpc.bidirectional(
            Worker.heartbeat,
            serializer: ProtobufSerializer<FerryV1.HeartbeatRequest>(),
            deserializer: ProtobufDeserializer<FerryV1.HeartbeatResponse>(),
            options: options,
            requestProducer: { writer in
                for await request in requests { try await writer.write(request) }
            },
            onResponse: { responses in
                let session = HeartbeatSession(continuation: continuation, responses: responses)
                defer { continuation.finish() }
                return try await body(session)
            }
        )
    }
}

/// One side of an open Heartbeat stream.
final class HeartbeatSession: @unchecked Sendable {
    private let continuation: AsyncStream<FerryV1.HeartbeatRequest>.Continuation
    private var iterator: ClientResponseStream<FerryV1.HeartbeatResponse>.AsyncIterator
    private var sequence: UInt64 = 0

    init(
        continuation: AsyncStream<FerryV1.HeartbeatRequest>.Continuation,
        responses: ClientResponseStream<FerryV1.HeartbeatResponse>
    ) {
        self.continuation = continuation
        self.iterator = responses.makeAsyncIterator()
    }

    /// Sends a ping with counters and returns the reply (nil if the stream ended).
    func ping(_ lease: FerryV1.JobLease, synced: Int64) async throws -> FerryV1.HeartbeatResponse? {
        sequence += 1
        continuation.yield(FerryV1.HeartbeatRequest(
            lease: lease, counters: FerryV1.SyncCounters(synced: synced, objectsScanned: synced), sequence: sequence))
        return try await iterator.next()
    }

    /// Sends a terminal outcome and returns its acknowledgement.
    func finish(_ lease: FerryV1.JobLease, result: FerryV1.JobResult) async throws -> FerryV1.HeartbeatResponse? {
        sequence += 1
        continuation.yield(FerryV1.HeartbeatRequest(
            lease: lease, outcome: FerryV1.JobOutcome(result: result), sequence: sequence))
        return try await iterator.next()
    }

    /// Reads the next reply (or the stream's failure).
    func next() async throws -> FerryV1.HeartbeatResponse? {
        try await iterator.next()
    }

    /// Stops sending.
    func finish() { continuation.finish() }
}

/// Every log line the server wrote, rendered with its metadata.
final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    func append(_ line: String) { lines.withLock { $0.append(line) } }

    var all: [String] { lines.withLock { $0 } }
}

struct CapturingLogHandler: LogHandler {
    let capture: LogCapture
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = self.metadata.merging(event.metadata ?? [:]) { $1 }
        capture.append("\(event.level) \(event.message) \(merged) \(event.error.map { "\($0)" } ?? "")")
    }
}

/// Polls `condition` until it holds; false after `timeout`.
func waitUntil(
    timeout: Duration = .seconds(10),
    every interval: Duration = .milliseconds(20),
    _ condition: @Sendable () async throws -> Bool
) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: interval)
    }
    return try await condition()
}

/// Whether `needle` occurs in `haystack`.
func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
    guard !needle.isEmpty, haystack.count >= needle.count else { return false }
    for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
        if Array(haystack[start..<(start + needle.count)]) == needle { return true }
    }
    return false
}

/// Which store an in-process test server keeps its state in.
enum TestDatabase: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }
}
