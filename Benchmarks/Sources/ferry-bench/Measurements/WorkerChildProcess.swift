/// Starts a real `ferry-worker` (release build of the root package) for `import`, connected to a
/// ``FerrydProcess`` over mTLS with the bench PKI's `worker-1` certificate and reading the same
/// local-files root.
enum WorkerChildProcess {
    /// Starts `ferry-worker` against `server` and waits until it logged `ferry-worker starting`.
    ///
    /// - Parameters:
    ///   - executable: The `ferry-worker` binary.
    ///   - server: The ferryd it works for (port, local-files root).
    ///   - certificates: The dev PKI (CA, `worker-1` certificate and key).
    ///   - batchSize: `--import-batch-size`.
    ///   - maxJobs: `--worker-max-jobs`, jobs run at once.
    ///   - logLevel: `--log-level`.
    ///   - timeout: How long it may take to start.
    /// - Returns: The running worker.
    /// - Throws: ``BenchError`` when it exits or stays silent.
    static func launch(
        executable: String,
        server: FerrydProcess,
        certificates: BenchCertificates,
        batchSize: Int,
        maxJobs: Int,
        logLevel: String,
        timeout: Duration = .seconds(30)
    ) async throws -> ChildProcess {
        let arguments = [
            "--server", "127.0.0.1:\(server.port)",
            "--tls-server-name", "localhost",
            "--tls-ca", certificates.caPath,
            "--tls-cert", certificates.workerCertificate,
            "--tls-key", certificates.workerKey,
            "--worker-id", "worker-1",
            "--storage-local-files-root", server.localFilesRoot,
            "--import-batch-size", String(batchSize),
            "--worker-max-jobs", String(maxJobs),
            "--log-level", logLevel,
        ]
        return try await ChildProcess.launch(
            "ferry-worker", executable: executable, arguments: arguments, readyLine: "ferry-worker starting",
            readiness: "started", timeout: timeout, grace: .seconds(15))
    }
}
