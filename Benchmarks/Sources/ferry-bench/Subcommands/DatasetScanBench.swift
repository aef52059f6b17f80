import ArgumentParser
import FerryProto

/// `ferry-bench dataset-scan`: the real `ferryd` and `ferry-worker` catalogue the objects already
/// in a bucket of an object server (moto for S3, fake-gcs-server for GCS) as a dataset storage, a
/// first scan and an unchanged re-scan, with the worker's peak RSS, beside the rate a plain
/// client lists the same bucket at (a scan reads no object, so listing is its ceiling).
/// `scripts/bench-object-import.sh --dataset` starts the object server, fills it and measures the
/// plain client.
struct DatasetScanBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dataset-scan",
        abstract: "Measure a real ferryd + ferry-worker cataloguing a bucket of an S3 or GCS server as a dataset.",
        discussion: "Run it through scripts/bench-object-import.sh --dataset, which prepares the object server and the baseline."
    )

    @OptionGroup var ferrydOptions: FerrydOptions

    @OptionGroup var bench: ObjectBenchOptions

    func run() async throws {
        try await bench.run("dataset-scan", ferrydOptions: ferrydOptions, batchSize: 5_000) {
            server, target, worker, scanLimit, report in
            try await measure(server: server, target: target, worker: worker, scanLimit: scanLimit, report: &report)
        }
    }

    private func measure(
        server: FerrydProcess, target: FerryTarget, worker: ChildProcess, scanLimit: Duration, report: inout Report
    ) async throws {
        let admin = try await target.admin()
        defer { Task { await admin.close() } }
        let storage = try await admin.createStorage(bench.createRequest(kind: .dataset))
        let poll = Duration.milliseconds(50)
        let provider = bench.provider

        ProgressLog.write("[1/2] first scan of \(Format.count(bench.objects)) \(provider) objects")
        let first = try await Bounded.run("first scan", limit: scanLimit) {
            try await ImportPhases.sync(storageIDs: [storage.id], admin: admin, server: server, worker: worker, pollInterval: poll)
        }
        let scanned = first.meta.objectsScanned
        let rate = Double(scanned) / max(first.wall.seconds, 1e-9)
        let complete = scanned == Int64(bench.objects) && first.created == Int64(bench.objects)
        report.add(
            "First scan of \(provider): objects/s (\(Format.count(bench.objects)) objects)", "\(Format.rate(rate)) objects/s",
            target: bench.baselineObjectsPerSecond.map { "≥ plain client's \(Format.rate($0)) objects/s" } ?? "",
            !complete ? .invalid : bench.baselineObjectsPerSecond.map { rate >= $0 ? .pass : .fail } ?? .pass)
        report.add("First scan: objects catalogued", Format.count(first.created), target: "= \(Format.count(bench.objects))", complete ? .pass : .fail)
        report.add("First scan: wall time", Format.latency(first.wall))
        if let baseline = bench.baselineObjectsPerSecond {
            report.add("Plain client: objects/s (list every page)", "\(Format.rate(baseline)) objects/s")
        }

        ProgressLog.write("[2/2] re-scan, nothing changed")
        let second = try await Bounded.run("re-scan", limit: scanLimit) {
            try await ImportPhases.sync(storageIDs: [storage.id], admin: admin, server: server, worker: worker, pollInterval: poll)
        }
        let rescanRate = Double(second.meta.objectsScanned) / max(second.wall.seconds, 1e-9)
        report.add(
            "Re-scan (unchanged) of \(provider): objects/s", "\(Format.rate(rescanRate)) objects/s",
            target: "0 rewritten", second.created == 0 && second.meta.objectsScanned == Int64(bench.objects) ? .pass : .invalid)
        let peak = ProcFS.peakResidentBytes(pid: worker.pid)
        report.add(
            "ferry-worker peak RSS", peak.map { Format.mebibytes(UInt64($0)) } ?? "n/a", target: "≤ 100 MiB",
            peak.map { $0 <= 100 * 1024 * 1024 ? .pass : .fail } ?? .invalid)
        report.note(
            "Objects `\(bench.prefix)dNNN/tN.json` in bucket \(bench.bucket) at \(bench.endpoint); the worker lists them "
                + "page by page with their size, etag and time and sends each page to the catalogue (no object is read). "
                + "Wall time is StartSync → the GetStorage reply that says completed. ferry-worker CPU "
                + "\(Format.decimal(first.workerCPU?.seconds, 2)) s on the first scan; the object server runs on the same 2 cores.")
    }
}
