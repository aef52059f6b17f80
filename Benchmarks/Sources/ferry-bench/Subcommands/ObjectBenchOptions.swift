import ArgumentParser
import FerryProto

/// What `object-import` and `dataset-scan` share: the bucket of an object server their storage
/// reads (moto for S3, fake-gcs-server for GCS), how many objects it holds, the plain client's
/// rate to compare with, and the run around a measurement (ferryd, then a worker, then the report).
struct ObjectBenchOptions: ParsableArguments {
    @Option(help: "The provider: s3 or gcs.")
    var provider: String

    @Option(help: "The object server's endpoint URL.")
    var endpoint: String

    @Option(help: "The bucket holding the objects.")
    var bucket: String

    @Option(help: "The key prefix of the objects.")
    var prefix = "bench/"

    @Option(help: "A storage secret, NAME=VALUE; repeatable.")
    var secret: [String] = []

    @Option(help: "How many objects the bucket holds under the prefix.")
    var objects: Int

    @Option(help: "Objects per second the plain client managed on the same server, for the comparison row.")
    var baselineObjectsPerSecond: Double?

    @Option(help: "The ferry-worker executable (default: .build/release/ferry-worker of the repository).")
    var ferryWorker: String?

    @Option(help: "ferryd's --sync-ping-interval-seconds.")
    var pingInterval = 10.0

    func validate() throws {
        guard ["s3", "gcs"].contains(provider) else { throw ValidationError("--provider must be s3 or gcs") }
        guard secret.allSatisfy({ $0.contains("=") }) else { throw ValidationError("--secret must be NAME=VALUE") }
        guard objects > 0, pingInterval > 0 else { throw ValidationError("--objects and --ping-interval must be positive") }
    }

    /// A recursive storage of `kind` over the prefix of the bucket, with the secrets.
    func createRequest(kind: FerryV1.StorageKind) -> FerryV1.CreateStorageRequest {
        var spec = FerryV1.StorageSpec(
            projectID: 1, title: "bench \(provider) \(kind)", kind: kind, provider: provider == "s3" ? .s3 : .gcs,
            prefix: prefix, recursiveScan: true, synchronizable: true)
        if provider == "s3" {
            spec.s3 = FerryV1.S3Location(bucket: bucket, region: "us-east-1", endpointURL: endpoint, forcePathStyle: true)
        } else {
            spec.gcs = FerryV1.GCSLocation(bucket: bucket, endpointURL: endpoint)
        }
        let credentials = secret.map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1)
            return FerryV1.Secret(name: String(parts[0]), value: parts.count > 1 ? String(parts[1]) : "")
        }
        return FerryV1.CreateStorageRequest(spec: spec, credentials: credentials)
    }

    /// Starts ferryd and a worker, runs `measure` with a limit for each of its two syncs, stops
    /// both and prints the report headed `## ferry-bench NAME (provider)`.
    func run(
        _ name: String, ferrydOptions: FerrydOptions, batchSize: Int,
        measure: (FerrydProcess, FerryTarget, ChildProcess, _ syncLimit: Duration, inout Report) async throws -> Void
    ) async throws {
        ProcFS.raiseFileLimit(to: 65_536)
        let certificates = try ferrydOptions.certificates.ensure()
        let workerExecutable = try ferryWorker ?? ChildProcess.defaultExecutable("ferry-worker")
        let syncLimit = Duration.seconds(300 + objects / 20)
        var run = try await FerrydRun.start(
            "## ferry-bench \(name) (\(provider))", executable: try ferrydOptions.executable(), options: ferrydOptions,
            certificates: certificates, pingInterval: pingInterval, budget: syncLimit * 2 + .seconds(300))
        await run.withWorker(executable: workerExecutable, certificates: certificates, batchSize: batchSize, metric: name) {
            server, target, worker, report in
            try await measure(server, target, worker, syncLimit, &report)
        }
        await run.finish(ending: ".")
    }
}
