import FerryProviders
import FerryProto
import FerryRPC
import FerryTLS
import FerryTestSupport
import FerryTransport
import FerryWorker
import Foundation
import Logging
import Testing

/// A job run by an in-process ``JobRunner`` against a ``FerryTestServer``, the way
/// `ferry-worker` runs it, for tests that need to control the worker's source or see the
/// server's store.
extension FerryTestServer {
    /// Creates a local import storage over `path` (made if missing) under the local-files root.
    ///
    /// - Returns: The storage id.
    func localImportStorage(path: String) async throws -> Int64 {
        try FileManager.default.createDirectory(atPath: localFilesRoot + "/" + path, withIntermediateDirectories: true)
        return try await withClient(.admin) { admin in
            try #require(
                try await admin.createStorage(
                    FerryV1.CreateStorageRequest(
                        spec: FerryV1.StorageSpec(
                            projectID: 5, title: path, kind: .import, provider: .local, synchronizable: true,
                            local: FerryV1.LocalLocation(path: path)))
                ).storage
            ).id
        }
    }

    /// Starts a sync of `storage` and claims its job as `instance` of the test worker.
    func startAndClaim(_ storage: Int64, instance: String) async throws -> FerryV1.Job {
        _ = try await withClient(.admin) { try await $0.startSync(storage) }
        return try await withClient(.worker) { worker in
            try #require(try await worker.acquireJob(instance: instance, wait: .seconds(5)).job)
        }
    }

    /// Runs one job, claimed as `instance`, to its end over mTLS, reading objects from `stores`,
    /// with its heartbeats and sync loop on threads of their own.
    func runJob(
        _ job: FerryV1.Job,
        instance: String,
        stores: @escaping @Sendable (FerryV1.Job) throws -> any ObjectStore
    ) async throws {
        let pki = TestPKI.shared
        let tls = try TLSContext(
            configuration: .client(
                trustRootsPath: pki.caPath, certificateChainPath: pki.workerCertificate, privateKeyPath: pki.workerKey,
                applicationProtocols: [FerryProtocol.alpn]))
        let transport = FerryClientTransport(host: "127.0.0.1", port: port, serverHostname: "localhost", tls: tls)
        let logger = Logger(label: "in-process-worker")
        let client = WorkerClient(
            rpc: RPCClient(transport: transport), instanceID: instance, backoff: ConnectionBackoff(), logger: logger)
        // On threads of its own, as in ferry-worker: the test process's cooperative pool has one
        // thread per core and other suites can hold it long past stale_after.
        let (executors, shutdown) = JobExecutors.dedicated(maxJobs: 1)
        defer { shutdown() }
        let runner = JobRunner(
            client: client, stores: stores, workerID: "worker-1", batchSize: 10, executors: executors, logger: logger)
        await runner.run(job, control: JobControl())
        await transport.close()
    }
}
