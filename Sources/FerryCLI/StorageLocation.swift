import FerryProto

/// The location settings of a storage: the spec's sub-messages (`local`, `s3`, `gcs`,
/// `azure_blob`, `redis`), of which the server keeps the one its provider names.
enum StorageLocation {
    /// One field of a location: its `.proto` name, a label for people, and its value (a string,
    /// a boolean or an integer).
    struct Field {
        let name: String
        let label: String
        let value: Any
    }

    /// Every location set in `spec` by its `.proto` field name, each with its fields in `.proto` order.
    static func all(of spec: FerryV1.StorageSpec) -> [(name: String, fields: [Field])] {
        var locations: [(name: String, fields: [Field])] = []
        if let local = spec.local {
            locations.append(("local", [Field(name: "path", label: "Path", value: local.path)]))
        }
        if let s3 = spec.s3 {
            locations.append(("s3", [
                Field(name: "bucket", label: "Bucket", value: s3.bucket),
                Field(name: "region", label: "Region", value: s3.region),
                endpoint(s3.endpointURL),
                Field(name: "force_path_style", label: "Path style", value: s3.forcePathStyle),
                Field(name: "sse_kms_key_id", label: "SSE KMS key", value: s3.sseKMSKeyID),
            ]))
        }
        if let gcs = spec.gcs {
            locations.append(("gcs", [
                Field(name: "bucket", label: "Bucket", value: gcs.bucket),
                Field(name: "project", label: "Project", value: gcs.project), endpoint(gcs.endpointURL),
            ]))
        }
        if let azure = spec.azureBlob {
            locations.append(("azure_blob", [
                Field(name: "container", label: "Container", value: azure.container),
                Field(name: "account_name", label: "Account", value: azure.accountName), endpoint(azure.endpointURL),
            ]))
        }
        if let redis = spec.redis {
            locations.append(("redis", [
                Field(name: "host", label: "Host", value: redis.host),
                Field(name: "port", label: "Port", value: Int(redis.port)),
                Field(name: "db", label: "Database", value: Int(redis.db)),
                Field(name: "use_tls", label: "TLS", value: redis.useTLS),
            ]))
        }
        return locations
    }

    /// The custom endpoint that S3, GCS and Azure locations share.
    private static func endpoint(_ url: String) -> Field {
        Field(name: "endpoint_url", label: "Endpoint URL", value: url)
    }
}
