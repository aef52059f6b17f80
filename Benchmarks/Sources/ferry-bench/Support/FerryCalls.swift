import FerryProto
import FerryRPC
import FerryTLS
import FerryTransport
import Foundation

/// How `server-load` reaches a real `ferryd`: admin calls with a bearer token over connections
/// without a client certificate, worker calls with the `worker-1` certificate.
struct FerryTarget: Sendable {
    /// The server's port on 127.0.0.1.
    let port: Int
    /// No client certificate (admin calls carry a token).
    let adminTLS: TLSContext
    /// The `worker-1` certificate.
    let workerTLS: TLSContext
    /// The admin bearer token.
    let adminToken: String
    /// The source addresses connections are spread over.
    let sources: SourceAddresses

    init(
        port: Int, certificates: BenchCertificates, adminToken: String,
        sources: SourceAddresses = .kernelChoice
    ) throws {
        self.port = port
        self.adminToken = adminToken
        self.sources = sources
        adminTLS = try TLSContext(
            configuration: .client(
                trustRootsPath: certificates.caPath,
                certificateChainPath: nil,
                privateKeyPath: nil,
                applicationProtocols: [FerryProtocol.alpn]
            )
        )
        workerTLS = try TLSContext(
            configuration: .client(
                trustRootsPath: certificates.caPath,
                certificateChainPath: certificates.workerCertificate,
                privateKeyPath: certificates.workerKey,
                applicationProtocols: [FerryProtocol.alpn]
            )
        )
    }

    /// A connected admin connection.
    func admin() async throws -> FerryConnection {
        try await connect(tls: adminTLS, metadata: ["authorization": "Bearer \(adminToken)"])
    }

    /// A connected worker connection.
    func worker() async throws -> FerryConnection {
        try await connect(tls: workerTLS, metadata: [:])
    }

    private func connect(tls: TLSContext, metadata: Metadata) async throws -> FerryConnection {
        var configuration = ClientTransportConfiguration()
        configuration.sourceAddress = sources.nextAddress()
        let transport = FerryClientTransport(
            host: "127.0.0.1", port: port, serverHostname: "localhost", tls: tls, configuration: configuration)
        try await transport.connect()
        return FerryConnection(transport: transport, rpc: RPCClient(transport: transport), metadata: metadata)
    }
}

/// One TLS connection to `ferryd` with typed `ferry.v1` calls.
struct FerryConnection: Sendable {
    typealias Storage = FerryV1.Methods.StorageService
    typealias Worker = FerryV1.Methods.WorkerService

    let transport: FerryClientTransport
    let rpc: RPCClient
    let metadata: Metadata

    func options(timeout: Duration = .seconds(30)) -> CallOptions {
        CallOptions(metadata: metadata, timeout: timeout)
    }

    func unary<Request: FerryMessage, Response: FerryMessage>(
        _ method: MethodDescriptor, _ request: Request, as: Response.Type = Response.self
    ) async throws -> Response {
        try await rpc.unary(
            method, request: request, serializer: ProtobufSerializer<Request>(),
            deserializer: ProtobufDeserializer<Response>(), options: options())
    }

    func createLocalStorage(title: String, path: String, projectID: Int64, recursive: Bool = false) async throws -> FerryV1.Storage {
        let reply: FerryV1.CreateStorageResponse = try await unary(
            Storage.createStorage,
            FerryV1.CreateStorageRequest(
                spec: FerryV1.StorageSpec(
                    projectID: projectID, title: title, kind: .import, provider: .local,
                    recursiveScan: recursive, synchronizable: true, local: FerryV1.LocalLocation(path: path))))
        guard let storage = reply.storage else { throw BenchError("CreateStorage returned no storage") }
        return storage
    }

    func createStorage(_ request: FerryV1.CreateStorageRequest) async throws -> FerryV1.Storage {
        let reply: FerryV1.CreateStorageResponse = try await unary(Storage.createStorage, request)
        guard let storage = reply.storage else { throw BenchError("CreateStorage returned no storage") }
        return storage
    }

    func getStorage(_ storageID: Int64) async throws -> FerryV1.Storage {
        let reply: FerryV1.GetStorageResponse = try await unary(Storage.getStorage, FerryV1.GetStorageRequest(id: storageID))
        guard let storage = reply.storage else { throw BenchError("GetStorage returned no storage") }
        return storage
    }

    func startSync(_ storageID: Int64) async throws -> FerryV1.StartSyncResponse {
        try await unary(Storage.startSync, FerryV1.StartSyncRequest(storageID: storageID))
    }

    func listStorages(pageSize: Int32, pageToken: String = "") async throws -> FerryV1.ListStoragesResponse {
        try await unary(Storage.listStorages, FerryV1.ListStoragesRequest(pageSize: pageSize, pageToken: pageToken))
    }

    func acquireJob(instance: String) async throws -> FerryV1.AcquireJobResponse {
        try await unary(
            Worker.acquireJob,
            FerryV1.AcquireJobRequest(workerID: "worker-1", instanceID: instance, waitTimeMicros: 0))
    }

    func close() async {
        await transport.close()
    }
}
