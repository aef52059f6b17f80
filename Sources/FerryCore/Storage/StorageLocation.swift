/// Where a storage's objects are: exactly one provider's location settings.
///
/// The case decides the provider (``provider``), so a storage cannot carry the location of one
/// provider while claiming another. None of these settings is secret; credentials travel in
/// ``StorageSecrets``.
public enum StorageLocation: Sendable, Hashable {
    /// A directory under the server's local-files root.
    case local(LocalLocation)
    /// An S3 bucket.
    case s3(S3Location)
    /// A Google Cloud Storage bucket.
    case gcs(GCSLocation)
    /// An Azure Blob Storage container.
    case azureBlob(AzureBlobLocation)
    /// A Redis database (keys live under ``StorageSettings/prefix``).
    case redis(RedisLocation)

    /// The provider this location belongs to.
    public var provider: StorageProvider {
        switch self {
        case .local: .local
        case .s3: .s3
        case .gcs: .gcs
        case .azureBlob: .azureBlob
        case .redis: .redis
        }
    }
}

/// The location of a ``StorageProvider/local`` storage.
public struct LocalLocation: Sendable, Hashable {
    /// A directory relative to the local-files root, or an absolute path under it.
    public var path: String

    /// Creates a location.
    ///
    /// - Parameter path: A directory relative to the local-files root, or absolute under it.
    public init(path: String) {
        self.path = path
    }
}

/// The location of a ``StorageProvider/s3`` storage.
public struct S3Location: Sendable, Hashable {
    /// The bucket name.
    public var bucket: String
    /// The region, e.g. `us-east-1`; empty for the endpoint's default.
    public var region: String
    /// A custom endpoint for S3-compatible services (`https://minio.local:9000`); empty for AWS.
    public var endpointURL: String
    /// Path-style addressing (`endpoint/bucket/key`), which most S3-compatible services need.
    public var forcePathStyle: Bool
    /// A KMS key for server-side encryption of written objects; empty for none.
    public var sseKMSKeyID: String

    /// Creates a location.
    ///
    /// - Parameters:
    ///   - bucket: The bucket name.
    ///   - region: The region; empty for the endpoint's default.
    ///   - endpointURL: A custom `http`/`https` endpoint; empty for AWS.
    ///   - forcePathStyle: Use path-style addressing.
    ///   - sseKMSKeyID: A KMS key id for server-side encryption; empty for none.
    public init(
        bucket: String,
        region: String = "",
        endpointURL: String = "",
        forcePathStyle: Bool = false,
        sseKMSKeyID: String = ""
    ) {
        self.bucket = bucket
        self.region = region
        self.endpointURL = endpointURL
        self.forcePathStyle = forcePathStyle
        self.sseKMSKeyID = sseKMSKeyID
    }
}

/// The location of a ``StorageProvider/gcs`` storage.
public struct GCSLocation: Sendable, Hashable {
    /// The bucket name.
    public var bucket: String
    /// The Google Cloud project id; empty to take it from the credentials.
    public var project: String
    /// A custom JSON API endpoint (e.g. fake-gcs-server at `http://127.0.0.1:4443`); empty for
    /// `https://storage.googleapis.com`.
    public var endpointURL: String

    /// Creates a location.
    ///
    /// - Parameters:
    ///   - bucket: The bucket name.
    ///   - project: The Google Cloud project id; empty to take it from the credentials.
    ///   - endpointURL: A custom `http`/`https` JSON API endpoint; empty for Google's.
    public init(bucket: String, project: String = "", endpointURL: String = "") {
        self.bucket = bucket
        self.project = project
        self.endpointURL = endpointURL
    }
}

/// The location of a ``StorageProvider/azureBlob`` storage.
public struct AzureBlobLocation: Sendable, Hashable {
    /// The container name.
    public var container: String
    /// The storage account name.
    public var accountName: String
    /// A custom blob endpoint (e.g. Azurite); empty for the public Azure cloud.
    public var endpointURL: String

    /// Creates a location.
    ///
    /// - Parameters:
    ///   - container: The container name.
    ///   - accountName: The storage account name.
    ///   - endpointURL: A custom `http`/`https` blob endpoint; empty for the public cloud.
    public init(container: String, accountName: String, endpointURL: String = "") {
        self.container = container
        self.accountName = accountName
        self.endpointURL = endpointURL
    }
}

/// The location of a ``StorageProvider/redis`` storage. Keys live under the storage's prefix.
public struct RedisLocation: Sendable, Hashable {
    /// The server's host name or address.
    public var host: String
    /// The server port; 0 means 6379.
    public var port: Int
    /// The database number.
    public var database: Int
    /// Connect with TLS.
    public var useTLS: Bool

    /// Creates a location.
    ///
    /// - Parameters:
    ///   - host: The server's host name or address.
    ///   - port: The port; 0 means 6379.
    ///   - database: The database number.
    ///   - useTLS: Connect with TLS.
    public init(host: String, port: Int = 0, database: Int = 0, useTLS: Bool = false) {
        self.host = host
        self.port = port
        self.database = database
        self.useTLS = useTLS
    }
}
