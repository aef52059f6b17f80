public import FerryCore
public import FerryProto
import FerryRPC

extension Storage {
    /// The wire form. It never carries secret values, only their names.
    public var proto: FerryV1.Storage {
        FerryV1.Storage(
            id: id,
            spec: StorageSpecMapping.spec(kind: kind, settings: settings),
            sync: syncInfo.proto,
            credentialNames: secretNames,
            createdUnixMicros: createdAt.unixMicroseconds,
            updatedUnixMicros: updatedAt.unixMicroseconds,
            revision: revision
        )
    }
}

/// Converts between `ferry.v1.StorageSpec` and the domain's kind and settings.
public enum StorageSpecMapping {
    /// The wire spec of a storage.
    ///
    /// - Parameters:
    ///   - kind: The storage kind.
    ///   - settings: Its settings.
    /// - Returns: The spec, with exactly the location that matches its provider.
    public static func spec(kind: StorageKind, settings: StorageSettings) -> FerryV1.StorageSpec {
        var spec = FerryV1.StorageSpec(
            projectID: settings.projectID,
            title: settings.title,
            description: settings.description,
            kind: kind.proto,
            provider: settings.provider.proto,
            datasetID: settings.datasetID ?? 0,
            prefix: settings.prefix,
            regexFilter: settings.regexFilter,
            recursiveScan: settings.recursiveScan,
            useBlobURLs: settings.useBlobURLs,
            presign: settings.presign,
            presignTTLMicros: settings.presignTTL?.microseconds ?? 0,
            canDeleteObjects: settings.canDeleteObjects,
            synchronizable: settings.synchronizable,
            syncIntervalMicros: settings.syncInterval?.microseconds ?? 0,
            exportAll: settings.exportAll,
            exportOnChange: settings.exportOnChange
        )
        switch settings.location {
        case .local(let location):
            spec.local = FerryV1.LocalLocation(path: location.path)
        case .s3(let location):
            spec.s3 = FerryV1.S3Location(
                bucket: location.bucket,
                region: location.region,
                endpointURL: location.endpointURL,
                forcePathStyle: location.forcePathStyle,
                sseKMSKeyID: location.sseKMSKeyID
            )
        case .gcs(let location):
            spec.gcs = FerryV1.GCSLocation(
                bucket: location.bucket,
                project: location.project,
                endpointURL: location.endpointURL
            )
        case .azureBlob(let location):
            spec.azureBlob = FerryV1.AzureBlobLocation(
                container: location.container,
                accountName: location.accountName,
                endpointURL: location.endpointURL
            )
        case .redis(let location):
            spec.redis = FerryV1.RedisLocation(
                host: location.host,
                port: Int32(clamping: location.port),
                db: Int32(clamping: location.database),
                useTLS: location.useTLS
            )
        }
        return spec
    }

    /// The domain kind and settings of a wire spec.
    ///
    /// - Parameter spec: The spec from a request.
    /// - Returns: The kind and settings.
    /// - Throws: `INVALID_ARGUMENT` naming the field when kind or provider is missing or the
    ///   location does not match the provider.
    public static func settings(from spec: FerryV1.StorageSpec) throws -> (StorageKind, StorageSettings) {
        guard let kind = StorageKind(spec.kind) else {
            throw RPCError(code: .invalidArgument, message: "spec.kind: must be IMPORT, EXPORT or DATASET")
        }
        guard let provider = StorageProvider(spec.provider) else {
            throw RPCError(code: .invalidArgument, message: "spec.provider: must be LOCAL, S3, GCS, AZURE_BLOB or REDIS")
        }
        let locations = [spec.local != nil, spec.s3 != nil, spec.gcs != nil, spec.azureBlob != nil, spec.redis != nil]
        guard locations.filter({ $0 }).count <= 1 else {
            throw RPCError(code: .invalidArgument, message: "spec: give exactly one location, the provider's")
        }
        let location: StorageLocation
        switch provider {
        case .local:
            location = .local(LocalLocation(path: try required(spec.local, "spec.local").path))
        case .s3:
            let s3 = try required(spec.s3, "spec.s3")
            location = .s3(
                S3Location(
                    bucket: s3.bucket,
                    region: s3.region,
                    endpointURL: s3.endpointURL,
                    forcePathStyle: s3.forcePathStyle,
                    sseKMSKeyID: s3.sseKMSKeyID
                )
            )
        case .gcs:
            let gcs = try required(spec.gcs, "spec.gcs")
            location = .gcs(GCSLocation(bucket: gcs.bucket, project: gcs.project, endpointURL: gcs.endpointURL))
        case .azureBlob:
            let azure = try required(spec.azureBlob, "spec.azure_blob")
            location = .azureBlob(
                AzureBlobLocation(container: azure.container, accountName: azure.accountName, endpointURL: azure.endpointURL)
            )
        case .redis:
            let redis = try required(spec.redis, "spec.redis")
            location = .redis(
                RedisLocation(host: redis.host, port: Int(redis.port), database: Int(redis.db), useTLS: redis.useTLS)
            )
        }
        let settings = StorageSettings(
            projectID: spec.projectID,
            title: spec.title,
            description: spec.description,
            synchronizable: spec.synchronizable,
            location: location,
            prefix: spec.prefix,
            regexFilter: spec.regexFilter,
            recursiveScan: spec.recursiveScan,
            useBlobURLs: spec.useBlobURLs,
            presign: spec.presign,
            presignTTL: spec.presignTTLMicros == 0 ? nil : .microseconds(spec.presignTTLMicros),
            canDeleteObjects: spec.canDeleteObjects,
            exportAll: spec.exportAll,
            exportOnChange: spec.exportOnChange,
            syncInterval: spec.syncIntervalMicros == 0 ? nil : .microseconds(spec.syncIntervalMicros),
            datasetID: spec.datasetID == 0 ? nil : spec.datasetID
        )
        return (kind, settings)
    }

    private static func required<Location>(_ location: Location?, _ field: String) throws -> Location {
        guard let location else {
            throw RPCError(code: .invalidArgument, message: "\(field): required for this provider")
        }
        return location
    }
}
