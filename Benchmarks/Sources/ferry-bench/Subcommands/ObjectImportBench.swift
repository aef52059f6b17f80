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

    @Option(help: "The ferry-worker executable (default: .build/release/ferry-worker of the repository).")
    var ferryWorker: String?

    @Option(help: "The provider: s3 or gcs.")
    var provider: String

    @Option(help: "The object server's endpoint URL.")
    var endpoint: String

    @Option(help: "The bucket holding the objects.")
    var bucket: String

    @Option(help: "The key prefix of the objects.")
    var prefix = "bench/"

    @Option(help: "How many objects the bucket holds under the prefix.")
    var objects: Int

    @Option(help: "A storage secret, NAME=VALUE; repeatable.")
    var secret: [String] = []

    @Option(help: "Objects per second a plain client with 16 threads fetched, for the comparison row.")
    var baselineObjectsPerSecond: Double?

    @Option(help: "ferry-worker's --import-batch-size.")
    var batchSize = 5_000

    @Option(help: "ferryd's --sync-ping-interval-seconds.")
    var pingInterval = 10.0

    func validate() throws {
        guard ["s3", "gcs"].contains(provider) else { throw ValidationError("--provider must be s3 or gcs") }
        guard objects > 0, (1...5_000).contains(batchSize), pingInterval > 0 else {
            throw ValidationError("--objects and --ping-interval must be positive, --batch-size between 1 and 5000")
        }
        guard secret.allSatisfy({ $0.contains("=") }) else { throw ValidationError("--secret must be NAME=VALUE") }
    }

    func run() async throws {
        ProcFS.raiseFileLimit(to: 65_536)
        let certificates = try ferrydOptions.certificates.ensure()
        let workerExecutable = try ferryWorker ?? ChildProcess.defaultExecutable("ferry-worker")
        let syncLimit = Duration.seconds(300 + objects / 20)
        var run = try await FerrydRun.start(
            "## ferry-bench object-import (\(provider))", executable: try ferrydOptions.executable(),
            options: ferrydOptions, certificates: certificates, pingInterval: pingInterval,
            budget: syncLimit * 2 + .seconds(300))
        var worker: ChildProcess?
        do {
            let server = run.server
            let target = try FerryTarget(port: server.port, certificates: certificates, adminToken: server.adminToken)
            let launched = try await WorkerChildProcess.launch(
                executable: workerExecutable, server: server, certificates: certificates, batchSize: batchSize, maxJobs: 2,
                logLevel: "info")
            worker = launched
            run.watchdog.watch(child: launched.pid, role: "worker")
            run.header.add("Worker", child: launched)
            try await measure(server: server, target: target, worker: launched, syncLimit: syncLimit, report: &run.report)
        } catch {
            run.failed("object-import", error)
        }
        if let worker {
            let end = await worker.stop()
            run.watchdog.watch(child: nil, role: "worker")
            run.report.note(end + ".")
        }
        await run.finish(ending: ".")
    }

    private func measure(
        server: FerrydProcess, target: FerryTarget, worker: ChildProcess, syncLimit: Duration, report: inout Report
    ) async throws {
        let admin = try await target.admin()
        defer { Task { await admin.close() } }
        var spec = FerryV1.StorageSpec(
            projectID: 1, title: "bench \(provider)", kind: .import, provider: provider == "s3" ? .s3 : .gcs, prefix: prefix,
            recursiveScan: true, synchronizable: true)
        if provider == "s3" {
            spec.s3 = FerryV1.S3Location(bucket: bucket, region: "us-east-1", endpointURL: endpoint, forcePathStyle: true)
        } else {
            spec.gcs = FerryV1.GCSLocation(bucket: bucket, endpointURL: endpoint)
        }
        let credentials = secret.map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1)
            return FerryV1.Secret(name: String(parts[0]), value: parts.count > 1 ? String(parts[1]) : "")
        }
        let storage = try await admin.createStorage(FerryV1.CreateStorageRequest(spec: spec, credentials: credentials))
        let poll = Duration.milliseconds(50)

        ProgressLog.write("[1/2] first sync of \(Format.count(objects)) \(provider) objects")
        let first = try await Bounded.run("first sync", limit: syncLimit) {
            try await ImportPhases.sync(storageIDs: [storage.id], admin: admin, server: server, worker: worker, pollInterval: poll)
        }
        let taskRate = Double(first.created) / max(first.wall.seconds, 1e-9)
        report.add(
            "First sync from \(provider): tasks/s (\(Format.count(objects)) objects)", "\(Format.rate(taskRate)) tasks/s",
            target: baselineObjectsPerSecond.map { "≥ plain client's \(Format.rate($0)) objects/s" } ?? "",
            first.created != Int64(objects) ? .invalid : baselineObjectsPerSecond.map { taskRate >= $0 ? .pass : .fail } ?? .pass)
        report.add("First sync: tasks created", Format.count(first.created), target: "= \(Format.count(objects))", first.created == Int64(objects) ? .pass : .fail)
        report.add("First sync: wall time", Format.latency(first.wall))
        if let baselineObjectsPerSecond {
            report.add("Plain client, 16 threads: objects/s (list + GET every object)", "\(Format.rate(baselineObjectsPerSecond)) objects/s")
        }

        ProgressLog.write("[2/2] no-op re-sync")
        let second = try await Bounded.run("re-sync", limit: syncLimit) {
            try await ImportPhases.sync(storageIDs: [storage.id], admin: admin, server: server, worker: worker, pollInterval: poll)
        }
        let keyRate = Double(second.existed) / max(second.wall.seconds, 1e-9)
        report.add(
            "Re-sync (no-op) from \(provider): keys/s", "\(Format.rate(keyRate)) keys/s",
            target: "0 created", second.created == 0 && second.existed == Int64(objects) ? .pass : .invalid)
        let peak = ProcFS.peakResidentBytes(pid: worker.pid)
        report.add(
            "ferry-worker peak RSS", peak.map { Format.mebibytes(UInt64($0)) } ?? "n/a", target: "≤ 100 MiB",
            peak.map { $0 <= 100 * 1024 * 1024 ? .pass : .fail } ?? .invalid)
        report.note(
            "Objects `\(prefix)dNNN/tN.json` (`{\"text\":\"task N\",\"n\":N}`) in bucket \(bucket) at \(endpoint); the worker "
                + "lists them page by page and fetches new ones with up to 16 requests at once. Wall time is StartSync → the "
                + "GetStorage reply that says completed. ferry-worker CPU \(Format.decimal(first.workerCPU?.seconds, 2)) s on the "
                + "first sync; the object server runs on the same 2 cores.")
    }
}
