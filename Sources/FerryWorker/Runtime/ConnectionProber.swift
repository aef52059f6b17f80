import FerryProto
import FerryProviders
import FerryRPC
import Logging

/// Runs the connection checks the server hands out with AcquireJob: opens the store of the
/// probe's settings, lists the location and reads its first object, and reports how it went,
/// naming the settings field a failure points at.
struct ConnectionProber: Sendable {
    let client: WorkerClient
    let stores: JobStores
    let logger: Logger

    /// Runs one check and answers it; a report the server no longer waits for is only logged.
    func run(_ probe: FerryV1.ConnectionProbe) async {
        let report = await check(probe)
        do {
            try await client.reportProbe(report)
        } catch {
            logger.warning("Could not answer a connection check", metadata: ["probe": "\(probe.id)", "error": "\(error)"])
        }
    }

    /// The check's outcome.
    func check(_ probe: FerryV1.ConnectionProbe) async -> FerryV1.ReportProbeRequest {
        let provider = probe.storage?.provider ?? .unspecified
        do {
            let store = try stores.store(
                spec: probe.storage ?? FerryV1.StorageSpec(), credentials: probe.credentials, subject: "probe \(probe.id)")
            let first = try await store.validate()
            return FerryV1.ReportProbeRequest(probeID: probe.id, ok: true, firstKey: first ?? "")
        } catch let error as ProviderError {
            return FerryV1.ReportProbeRequest(
                probeID: probe.id, ok: false, error: error.description, errorCode: error.code ?? "",
                field: Self.field(for: error.code, provider: provider))
        } catch {
            return FerryV1.ReportProbeRequest(
                probeID: probe.id, ok: false, error: "\(error)", field: Self.field(for: nil, provider: provider))
        }
    }

    /// The settings field a provider's error code points at: a missing bucket or container, the
    /// credentials, or (no code: nothing answered) the endpoint or host.
    static func field(for code: String?, provider: FerryV1.StorageProvider) -> String {
        let missing: Set<String> = ["NoSuchBucket", "ContainerNotFound", "404", "notFound"]
        let refused: Set<String> = [
            "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken",
            "AuthenticationFailed", "AuthorizationFailure", "401", "403", "forbidden", "unauthorized",
            "WRONGPASS", "NOAUTH", "NOPERM",
        ]
        if let code, refused.contains(code) { return "credentials" }
        let isMissing = code.map(missing.contains) ?? false
        // An error code means a server answered: the endpoint is right, something else is not.
        if code != nil, !isMissing { return "spec" }
        switch provider {
        case .local: return "local.path"
        case .s3: return isMissing ? "s3.bucket" : "s3.endpoint_url"
        case .gcs: return isMissing ? "gcs.bucket" : "gcs"
        case .azureBlob: return isMissing ? "azure_blob.container" : "azure_blob.endpoint_url"
        case .redis: return "redis.host"
        default: return "spec"
        }
    }
}
