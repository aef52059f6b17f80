import ArgumentParser
import FerryProto

#if canImport(Glibc)
import Glibc
#endif

/// `ferry-bench export`: the real `ferryd` and `ferry-worker` export annotations, one object per
/// task, to local files or an S3 server (moto): tasks are imported from local files first, one
/// annotation per task is put through PutAnnotations, then a first export and a no-op re-export
/// are measured, with the worker's peak RSS, beside the rate a plain concurrent client writes the
/// same number of objects at. `scripts/bench-export.sh` prepares the server and the baseline.
struct ExportBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Measure a real ferryd + ferry-worker exporting annotations to local files or S3.",
        discussion: "Run it through scripts/bench-export.sh, which starts moto and measures the plain client."
    )

    @OptionGroup var ferrydOptions: FerrydOptions

    @Option(help: "The ferry-worker executable (default: .build/release/ferry-worker of the repository).")
    var ferryWorker: String?

    @Option(help: "Where to export: local or s3.")
    var target: String

    @Option(help: "Tasks, each with one annotation, to export.")
    var annotations = 100_000

    @Option(help: "s3: the server's endpoint URL.")
    var endpoint = ""

    @Option(help: "s3: the bucket (it must exist).")
    var bucket = ""

    @Option(help: "A storage secret, NAME=VALUE; repeatable.")
    var secret: [String] = []

    @Option(help: "Objects per second a plain client with 16 threads wrote, for the comparison row.")
    var baselineObjectsPerSecond: Double?

    @Option(help: "ferryd's --sync-ping-interval-seconds.")
    var pingInterval = 10.0

    func validate() throws {
        guard ["local", "s3"].contains(target) else { throw ValidationError("--target must be local or s3") }
        guard target == "local" || (!endpoint.isEmpty && !bucket.isEmpty) else {
            throw ValidationError("--target s3 needs --endpoint and --bucket")
        }
        guard annotations > 0, pingInterval > 0 else { throw ValidationError("--annotations must be positive") }
        guard secret.allSatisfy({ $0.contains("=") }) else { throw ValidationError("--secret must be NAME=VALUE") }
    }

    func run() async throws {
        ProcFS.raiseFileLimit(to: 65_536)
        let certificates = try ferrydOptions.certificates.ensure()
        let workerExecutable = try ferryWorker ?? ChildProcess.defaultExecutable("ferry-worker")
        let syncLimit = Duration.seconds(300 + annotations / 20)
        var run = try await FerrydRun.start(
            "## ferry-bench export (\(target))", executable: try ferrydOptions.executable(), options: ferrydOptions,
            certificates: certificates, pingInterval: pingInterval, budget: syncLimit * 4 + .seconds(300))
        await run.withWorker(executable: workerExecutable, certificates: certificates, batchSize: 5_000, metric: "export") {
            server, ferry, worker, report in
            try await measure(server: server, target: ferry, worker: worker, syncLimit: syncLimit, report: &report)
        }
        await run.finish(ending: "; its directory (database, files) removed.")
    }

    private func measure(
        server: FerrydProcess, target ferry: FerryTarget, worker: ChildProcess, syncLimit: Duration, report: inout Report
    ) async throws {
        let admin = try await ferry.admin()
        defer { Task { await admin.close() } }
        let poll = Duration.milliseconds(50)

        ProgressLog.write("[1/4] importing \(Format.count(annotations)) tasks from local files")
        _ = try ImportPhases.generate(files: annotations, under: server.localFilesRoot + "/tasks", perDirectory: 1_000)
        let source = try await admin.createLocalStorage(title: "tasks", path: "tasks", projectID: 1, recursive: true)
        _ = try await Bounded.run("import", limit: syncLimit) {
            try await ImportPhases.sync(storageIDs: [source.id], admin: admin, server: server, worker: worker, pollInterval: poll)
        }

        // A fresh database numbers the imported tasks 1...N.
        ProgressLog.write("[2/4] putting one annotation per task")
        let clock = ContinuousClock()
        let putStart = clock.now
        for first in stride(from: 1, through: annotations, by: 1_000) {
            let inputs = (first..<min(first + 1_000, annotations + 1)).map { task in
                FerryV1.AnnotationInput(
                    taskID: Int64(task), annotationID: Int64(task), resultJSON: #"[{"value":{"choices":["cat"]}}]"#,
                    completedBy: "bench", updatedUnixMicros: 1)
            }
            let _: FerryV1.PutAnnotationsResponse = try await admin.unary(
                FerryV1.Methods.StorageService.putAnnotations,
                FerryV1.PutAnnotationsRequest(projectID: 1, annotations: inputs))
        }
        let putRate = Double(annotations) / max((clock.now - putStart).seconds, 1e-9)
        report.add("PutAnnotations, 1,000 per call: annotations/s", "\(Format.rate(putRate)) annotations/s")

        if target == "local" {
            guard mkdir(server.localFilesRoot + "/export", 0o755) == 0 else { throw BenchError("cannot make the export directory") }
        }
        let storage = try await admin.createStorage(FerryV1.CreateStorageRequest(spec: exportSpec(), credentials: credentials()))
        ProgressLog.write("[3/4] first export of \(Format.count(annotations)) objects to \(target)")
        let first = try await Bounded.run("first export", limit: syncLimit) {
            try await ImportPhases.sync(storageIDs: [storage.id], admin: admin, server: server, worker: worker, pollInterval: poll)
        }
        let rate = Double(first.created) / max(first.wall.seconds, 1e-9)
        report.add(
            "First export to \(target): objects/s (\(Format.count(annotations)) tasks)", "\(Format.rate(rate)) objects/s",
            target: baselineObjectsPerSecond.map { "≥ plain client's \(Format.rate($0)) objects/s" } ?? "",
            first.created != Int64(annotations) ? .invalid : baselineObjectsPerSecond.map { rate >= $0 ? .pass : .fail } ?? .pass)
        report.add("First export: objects written", Format.count(first.created), target: "= \(Format.count(annotations))",
            first.created == Int64(annotations) ? .pass : .fail)
        report.add("First export: wall time", Format.latency(first.wall))
        if let baselineObjectsPerSecond {
            report.add("Plain client, 16 threads: objects/s (write every object)", "\(Format.rate(baselineObjectsPerSecond)) objects/s")
        }

        ProgressLog.write("[4/4] no-op re-export")
        let second = try await Bounded.run("re-export", limit: syncLimit) {
            try await ImportPhases.sync(storageIDs: [storage.id], admin: admin, server: server, worker: worker, pollInterval: poll)
        }
        report.add("Re-export (nothing changed): wall time", Format.latency(second.wall), target: "0 written",
            second.created == 0 ? .pass : .invalid)
        let peak = ProcFS.peakResidentBytes(pid: worker.pid)
        report.add(
            "ferry-worker peak RSS", peak.map { Format.mebibytes(UInt64($0)) } ?? "n/a", target: "≤ 100 MiB",
            peak.map { $0 <= 100 * 1024 * 1024 ? .pass : .fail } ?? .invalid)
        report.note(
            "One object per task, `bench-export/<task id>.json` (the task and its annotation, about 250 bytes); the worker "
                + "writes each batch 16 objects at a time, then acknowledges it. Wall time is StartSync → the GetStorage reply "
                + "that says completed. ferry-worker CPU \(Format.decimal(first.workerCPU?.seconds, 2)) s, ferryd CPU "
                + "\(Format.decimal(first.ferrydCPU?.seconds, 2)) s on the first export; everything runs on the same 2 cores.")
    }

    private func exportSpec() -> FerryV1.StorageSpec {
        var spec = FerryV1.StorageSpec(
            projectID: 1, title: "bench export", kind: .export, provider: target == "s3" ? .s3 : .local,
            prefix: "bench-export", synchronizable: true)
        if target == "s3" {
            spec.s3 = FerryV1.S3Location(bucket: bucket, region: "us-east-1", endpointURL: endpoint, forcePathStyle: true)
        } else {
            spec.local = FerryV1.LocalLocation(path: "export")
        }
        return spec
    }

    private func credentials() -> [FerryV1.Secret] {
        secret.map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1)
            return FerryV1.Secret(name: String(parts[0]), value: parts.count > 1 ? String(parts[1]) : "")
        }
    }
}
