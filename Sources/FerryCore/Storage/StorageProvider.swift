/// Where a storage keeps its objects. Independent of ``StorageKind``.
public enum StorageProvider: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// A directory under the local-files root configured on the server.
    case local
    /// AWS S3 or an S3-compatible endpoint (MinIO, ...).
    case s3
    /// Google Cloud Storage.
    case gcs
    /// Azure Blob Storage.
    case azureBlob = "azure_blob"
    /// Keys under a prefix in a Redis database.
    case redis

    /// The lowercase name used in logs, the CLI and configuration (`local`, `s3`, `gcs`,
    /// `azure_blob`, `redis`).
    public var description: String { self.rawValue }

    /// The names of the secrets this provider accepts (`ferry.v1.Secret.name`), as listed in
    /// `provider.proto`. A `local` storage takes none.
    public var secretNames: Set<String> {
        switch self {
        case .local: []
        case .s3: ["access_key_id", "secret_access_key", "session_token"]
        case .gcs: ["application_credentials"]
        case .azureBlob: ["account_key", "sas_token"]
        case .redis: ["username", "password"]
        }
    }
}
