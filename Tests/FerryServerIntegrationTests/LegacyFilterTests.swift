import FerryCore
import FerryProto
import FerryRPC
import FerryServices
import FerryStore
import FerryTLS
import FerryTestSupport
import FerryTransport
import FerryWorker
import Foundation
import Logging
import Testing

/// A storage saved before `regex_filter` was checked for backtracking constructs cannot wedge
/// a worker: the worker compiles the filter with the same linear-time engine, and the sync fails
/// at once with the construct named.
@Suite(.timeLimit(.minutes(2)))
struct LegacyFilterTests {
    @Test func aBackreferenceSavedBeforeValidationFailsTheSyncNamingIt() async throws {
        try await FerryTestServer.with { server in
            try FileManager.default.createDirectory(
                atPath: server.localFilesRoot + "/legacy", withIntermediateDirectories: true)
            try Data(#"{"text":"a"}"#.utf8).write(to: URL(fileURLWithPath: server.localFilesRoot + "/legacy/a.json"))
            let storage = try await server.withClient(.admin) { admin in
                try #require(
                    try await admin.createStorage(
                        FerryV1.CreateStorageRequest(
                            spec: FerryV1.StorageSpec(
                                projectID: 5, title: "legacy", kind: .import, provider: .local, synchronizable: true,
                                local: FerryV1.LocalLocation(path: "legacy")))
                    ).storage
                ).id
            }
            // The row as an older server stored it: written to the store past the validator.
            var settings = try await server.store.storage(id: storage).settings
            settings.regexFilter = #"(a+)\1+$"#
            _ = try await server.store.updateStorage(
                id: storage, settings: settings, secrets: .keep, expectedRevision: nil, now: SystemClock().now())

            _ = try await server.withClient(.admin) { try await $0.startSync(storage) }
            let job = try await server.withClient(.worker) { worker in
                try #require(try await worker.acquireJob(instance: "legacy-1", wait: .seconds(5)).job)
            }
            let control = JobControl()
            try await Self.runJob(job, control: control, server: server)

            let failed = try await server.withClient(.admin) { try await $0.listed(storage) }
            #expect(failed.sync?.status == .failed)
            let traceback = failed.sync?.traceback ?? ""
            #expect(traceback.contains("regex_filter"), "\(traceback)")
            #expect(traceback.contains("backreferences"), "\(traceback)")
        }
    }

    /// Runs one claimed job the way `ferry-worker` does, reading the server's local-files root.
    private static func runJob(_ job: FerryV1.Job, control: JobControl, server: FerryTestServer) async throws {
        let pki = TestPKI.shared
        let tls = try TLSContext(
            configuration: .client(
                trustRootsPath: pki.caPath, certificateChainPath: pki.workerCertificate, privateKeyPath: pki.workerKey,
                applicationProtocols: [FerryProtocol.alpn]))
        let transport = FerryClientTransport(host: "127.0.0.1", port: server.port, serverHostname: "localhost", tls: tls)
        let logger = Logger(label: "legacy-worker")
        let client = WorkerClient(rpc: RPCClient(transport: transport), backoff: ConnectionBackoff(), logger: logger)
        let sources = ImportSourceFactory(localFilesRoot: server.localFilesRoot)
        let runner = JobRunner(
            client: client, sources: sources.source(for:), workerID: "worker-1", batchSize: 10, logger: logger)
        await runner.run(job, control: control)
        await transport.close()
    }
}
