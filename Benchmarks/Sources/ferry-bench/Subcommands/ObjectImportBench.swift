import ArgumentParser
import FerryProto

/// `ferry-bench object-import`: the real `ferryd` and `ferry-worker` import objects that are
/// already in a bucket of an object server (moto for S3, fake-gcs-server for GCS), a first sync
/// and a no-op re-sync, with the worker's peak RSS, beside the rate a plain concurrent client
/// fetched the same objects at. `scripts/bench-object-import.sh` starts the object server, loads
/// the objects, measures the plain client and runs this.
struct ObjectImportBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "object-import",
        abstract: "Measure a real ferryd + ferry-worker importing objects from an S3 or GCS server.",
        discussion: "Run it through scripts/bench-object-import.sh, which prepares the object server and the baseline."
    )

    @OptionGroup var ferrydOptions: FerrydOptions

    @OptionGroup var bench: ObjectBenchOptions

    @Option(help: "ferry-worker's --import-batch-size.")
    var batchSize = 5_000

    func validate() throws {
        guard (1...5_000).contains(batchSize) else { throw ValidationError("--batch-size must be between 1 and 5000") }
    }

    func run() async throws {
        try await bench.run("object-import", ferrydOptions: ferrydOptions, batchSize: batchSize) {
            server, target, worker, syncLimit, report in
            try await measure(server: server, target: target, worker: worker, syncLimit: syncLimit, report: &report)
        }
    }

    private func measure(
        server: FerrydProcess, target: FerryTarget, worker: ChildProcess, syncLimit: Duration, report: inout Report
    ) async throws {
        let admin = try await target.admin()
        defer { Task { await admin.close() } }
        let storage = try await admin.createStorage(bench.createRequest(kind: .import))
        let provider = bench.provider
        let poll = Duration.milliseconds(50)

        ProgressLog.write("[1/2] first sync of \(Format.count(bench.objects)) \(provider) objects")
        let first = try await Bounded.run("first sync", limit: syncLimit) {
            try await ImportPhases.sync(storageIDs: [storage.id], admin: admin, server: server, worker: worker, pollInterval: poll)
        }
        let taskRate = Double(first.created) / max(first.wall.seconds, 1e-9)
        report.add(
            "First sync from \(provider): tasks/s (\(Format.count(bench.objects)) objects)", "\(Format.rate(taskRate)) tasks/s",
            target: bench.baselineObjectsPerSecond.map { "≥ plain client's \(Format.rate($0)) objects/s" } ?? "",
            first.created != Int64(bench.objects) ? .invalid : bench.baselineObjectsPerSecond.map { taskRate >= $0 ? .pass : .fail } ?? .pass)
        report.add("First sync: tasks created", Format.count(first.created), target: "= \(Format.count(bench.objects))", first.created == Int64(bench.objects) ? .pass : .fail)
        report.add("First sync: wall time", Format.latency(first.wall))
        if let baseline = bench.baselineObjectsPerSecond {
            report.add("Plain client, 16 threads: objects/s (list + GET every object)", "\(Format.rate(baseline)) objects/s")
        }

        ProgressLog.write("[2/2] no-op re-sync")
        let second = try await Bounded.run("re-sync", limit: syncLimit) {
            try await ImportPhases.sync(storageIDs: [storage.id], admin: admin, server: server, worker: worker, pollInterval: poll)
        }
        let keyRate = Double(second.existed) / max(second.wall.seconds, 1e-9)
        report.add(
            "Re-sync (no-op) from \(provider): keys/s", "\(Format.rate(keyRate)) keys/s",
            target: "0 created", second.created == 0 && second.existed == Int64(bench.objects) ? .pass : .invalid)
        let peak = ProcFS.peakResidentBytes(pid: worker.pid)
        report.add(
            "ferry-worker peak RSS", peak.map { Format.mebibytes(UInt64($0)) } ?? "n/a", target: "≤ 100 MiB",
            peak.map { $0 <= 100 * 1024 * 1024 ? .pass : .fail } ?? .invalid)
        report.note(
            "Objects `\(bench.prefix)dNNN/tN.json` (`{\"text\":\"task N\",\"n\":N}`) in bucket \(bench.bucket) at \(bench.endpoint); the worker "
                + "lists them page by page and fetches new ones with up to 16 requests at once. Wall time is StartSync → the "
                + "GetStorage reply that says completed. ferry-worker CPU \(Format.decimal(first.workerCPU?.seconds, 2)) s on the "
                + "first sync; the object server runs on the same 2 cores.")
    }
}
