extension FerrydRun {
    /// Starts `ferry-worker` beside this run's ferryd, hands both to `measure`, then stops the
    /// worker and notes how it ended; a failure to start or to measure is recorded as `metric`
    /// failing, with ferryd's last log lines.
    ///
    /// - Parameters:
    ///   - executable: The `ferry-worker` binary.
    ///   - certificates: The dev PKI.
    ///   - batchSize: The worker's `--import-batch-size`.
    ///   - metric: What the report names when it fails.
    ///   - measure: Measures with ferryd, an admin target and the worker, into the report.
    mutating func withWorker(
        executable: String,
        certificates: BenchCertificates,
        batchSize: Int,
        metric: String,
        _ measure: (FerrydProcess, FerryTarget, ChildProcess, inout Report) async throws -> Void
    ) async {
        var worker: ChildProcess?
        do {
            let target = try FerryTarget(port: server.port, certificates: certificates, adminToken: server.adminToken)
            let launched = try await WorkerChildProcess.launch(
                executable: executable, server: server, certificates: certificates, batchSize: batchSize, maxJobs: 2,
                logLevel: "info")
            worker = launched
            watchdog.watch(child: launched.pid, role: "worker")
            header.add("Worker", child: launched)
            try await measure(server, target, launched, &report)
        } catch {
            failed(metric, error)
        }
        if let worker {
            let end = await worker.stop()
            watchdog.watch(child: nil, role: "worker")
            report.note(end + ".")
        }
    }
}
