public import FerryProto
import FerryRPC

/// An `UpdateStorageRequest.update_mask`: which fields of a storage's spec an update changes.
///
/// Paths are the spec's proto field names (`title`, `regex_filter`), a whole location (`s3`), or
/// one field of a location (`s3.bucket`). An empty mask replaces every field that may change.
/// `project_id` and `kind` never change; naming them, or a path the spec does not have, is
/// refused with `INVALID_ARGUMENT` naming the paths.
public struct StorageSpecMask: Sendable {
    private typealias Spec = FerryV1.StorageSpec
    private typealias Copy = @Sendable (inout Spec, Spec) -> Void

    private let paths: [String]

    /// Checks the paths of a mask.
    ///
    /// - Parameter paths: The request's `update_mask`.
    /// - Throws: `INVALID_ARGUMENT` naming every path that is unknown or may not change.
    public init(_ paths: [String]) throws {
        let fixed = paths.filter { Self.immutable.contains($0) }
        guard fixed.isEmpty else {
            throw RPCError(
                code: .invalidArgument,
                message: "update_mask: \(fixed.joined(separator: ", ")) cannot change after creation")
        }
        let unknown = paths.filter { Self.copies[$0] == nil }
        guard unknown.isEmpty else {
            throw RPCError(
                code: .invalidArgument,
                message: "update_mask: unknown path\(unknown.count == 1 ? "" : "s") \(unknown.joined(separator: ", "))")
        }
        self.paths = paths
    }

    /// The spec an update leaves: `current` with the masked fields taken from `requested`, or
    /// `requested` whole (project and kind kept) when the mask is empty. A changed provider keeps
    /// only its own location.
    ///
    /// - Parameters:
    ///   - requested: The request's spec.
    ///   - current: The storage's spec now.
    /// - Returns: The spec to validate and store.
    public func apply(_ requested: FerryV1.StorageSpec, to current: FerryV1.StorageSpec) -> FerryV1.StorageSpec {
        guard !paths.isEmpty else {
            var replaced = requested
            replaced.projectID = current.projectID
            replaced.kind = requested.kind == .unspecified ? current.kind : requested.kind
            return replaced
        }
        var merged = current
        for path in paths {
            Self.copies[path]?(&merged, requested)
        }
        if merged.provider != current.provider {
            let provider = merged.provider
            if provider != .local { merged.local = nil }
            if provider != .s3 { merged.s3 = nil }
            if provider != .gcs { merged.gcs = nil }
            if provider != .azureBlob { merged.azureBlob = nil }
            if provider != .redis { merged.redis = nil }
        }
        return merged
    }

    private static let immutable: Set<String> = ["project_id", "kind"]

    private static let copies: [String: Copy] = {
        var copies: [String: Copy] = [
            "title": field(\.title), "description": field(\.description), "provider": field(\.provider),
            "dataset_id": field(\.datasetID), "prefix": field(\.prefix), "regex_filter": field(\.regexFilter),
            "recursive_scan": field(\.recursiveScan), "use_blob_urls": field(\.useBlobURLs),
            "presign": field(\.presign), "presign_ttl_micros": field(\.presignTTLMicros),
            "can_delete_objects": field(\.canDeleteObjects), "synchronizable": field(\.synchronizable),
            "sync_interval_micros": field(\.syncIntervalMicros), "export_all": field(\.exportAll),
            "export_on_change": field(\.exportOnChange),
            "local": field(\.local), "s3": field(\.s3), "gcs": field(\.gcs), "azure_blob": field(\.azureBlob),
            "redis": field(\.redis),
        ]
        copies["local.path"] = nested(\.local, \.path, empty: FerryV1.LocalLocation())
        for (name, path) in [
            ("bucket", \FerryV1.S3Location.bucket), ("region", \.region), ("endpoint_url", \.endpointURL),
            ("sse_kms_key_id", \.sseKMSKeyID),
        ] {
            copies["s3." + name] = nested(\.s3, path, empty: FerryV1.S3Location())
        }
        copies["s3.force_path_style"] = nested(\.s3, \.forcePathStyle, empty: FerryV1.S3Location())
        for (name, path) in [
            ("bucket", \FerryV1.GCSLocation.bucket), ("project", \.project), ("endpoint_url", \.endpointURL),
        ] {
            copies["gcs." + name] = nested(\.gcs, path, empty: FerryV1.GCSLocation())
        }
        for (name, path) in [
            ("container", \FerryV1.AzureBlobLocation.container), ("account_name", \.accountName),
            ("endpoint_url", \.endpointURL),
        ] {
            copies["azure_blob." + name] = nested(\.azureBlob, path, empty: FerryV1.AzureBlobLocation())
        }
        copies["redis.host"] = nested(\.redis, \.host, empty: FerryV1.RedisLocation())
        copies["redis.port"] = nested(\.redis, \.port, empty: FerryV1.RedisLocation())
        copies["redis.db"] = nested(\.redis, \.db, empty: FerryV1.RedisLocation())
        copies["redis.use_tls"] = nested(\.redis, \.useTLS, empty: FerryV1.RedisLocation())
        return copies
    }()

    private static func field<Value>(_ path: any WritableKeyPath<Spec, Value> & Sendable) -> Copy {
        { target, source in target[keyPath: path] = source[keyPath: path] }
    }

    private static func nested<Location, Value>(
        _ location: any WritableKeyPath<Spec, Location?> & Sendable,
        _ path: any WritableKeyPath<Location, Value> & Sendable,
        empty: Location
    ) -> Copy where Location: Sendable {
        { target, source in
            var updated = target[keyPath: location] ?? empty
            updated[keyPath: path] = (source[keyPath: location] ?? empty)[keyPath: path]
            target[keyPath: location] = updated
        }
    }
}
