import ArgumentParser
import FerryCLI
import FerryProto

/// The location flags of every provider; each applies only to the providers its help names.
struct LocationOptions: ParsableArguments {
    @Option(help: "local: directory under the server's local-files root.")
    var path: String?

    @Option(help: "s3/gcs: bucket.")
    var bucket: String?

    @Option(help: "s3: region, e.g. us-east-1.")
    var region: String?

    @Option(
        help: """
            s3: endpoint URL of an S3-compatible service (MinIO, Ceph, R2, ...); gcs: JSON API endpoint \
            (e.g. fake-gcs-server); azure_blob: blob endpoint URL.
            """)
    var endpoint: String?

    @Option(help: "s3: path-style addressing (endpoint/bucket/key), which most S3-compatible services need: true or false.")
    var pathStyle: Bool?

    @Option(help: "s3: KMS key id for server-side encryption of written objects.")
    var sseKmsKeyId: String?

    @Option(name: .customLong("gcs-project"), help: "gcs: Google Cloud project id (default: from the credentials).")
    var gcsProject: String?

    @Option(help: "azure_blob: container.")
    var container: String?

    @Option(help: "azure_blob: storage account name.")
    var accountName: String?

    @Option(help: "redis: server host name or address.")
    var redisHost: String?

    @Option(help: "redis: server port (default 6379).")
    var redisPort: Int32?

    @Option(help: "redis: database number (default 0).")
    var redisDb: Int32?

    @Option(help: "redis: connect with TLS: true or false.")
    var redisTls: Bool?

    /// Sets the fields of `spec`'s location that were given; flags of other providers are refused.
    func apply(to spec: inout FerryV1.StorageSpec) throws {
        let given: [(flag: String, isSet: Bool, providers: Set<FerryV1.StorageProvider>)] = [
            ("--path", path != nil, [.local]),
            ("--bucket", bucket != nil, [.s3, .gcs]),
            ("--region", region != nil, [.s3]),
            ("--endpoint", endpoint != nil, [.s3, .gcs, .azureBlob]),
            ("--path-style", pathStyle != nil, [.s3]),
            ("--sse-kms-key-id", sseKmsKeyId != nil, [.s3]),
            ("--gcs-project", gcsProject != nil, [.gcs]),
            ("--container", container != nil, [.azureBlob]),
            ("--account-name", accountName != nil, [.azureBlob]),
            ("--redis-host", redisHost != nil, [.redis]),
            ("--redis-port", redisPort != nil, [.redis]),
            ("--redis-db", redisDb != nil, [.redis]),
            ("--redis-tls", redisTls != nil, [.redis]),
        ]
        if let misplaced = given.first(where: { $0.isSet && !$0.providers.contains(spec.provider) }) {
            throw ValidationError("\(misplaced.flag) does not apply to provider \(Names.provider(spec.provider))")
        }
        switch spec.provider {
        case .local:
            var local = spec.local ?? FerryV1.LocalLocation()
            if let path { local.path = path }
            spec.local = local
        case .s3:
            var s3 = spec.s3 ?? FerryV1.S3Location()
            if let bucket { s3.bucket = bucket }
            if let region { s3.region = region }
            if let endpoint { s3.endpointURL = endpoint }
            if let pathStyle { s3.forcePathStyle = pathStyle }
            if let sseKmsKeyId { s3.sseKMSKeyID = sseKmsKeyId }
            spec.s3 = s3
        case .gcs:
            var gcs = spec.gcs ?? FerryV1.GCSLocation()
            if let bucket { gcs.bucket = bucket }
            if let gcsProject { gcs.project = gcsProject }
            if let endpoint { gcs.endpointURL = endpoint }
            spec.gcs = gcs
        case .azureBlob:
            var azure = spec.azureBlob ?? FerryV1.AzureBlobLocation()
            if let container { azure.container = container }
            if let accountName { azure.accountName = accountName }
            if let endpoint { azure.endpointURL = endpoint }
            spec.azureBlob = azure
        case .redis:
            var redis = spec.redis ?? FerryV1.RedisLocation()
            if let redisHost { redis.host = redisHost }
            if let redisPort { redis.port = redisPort }
            if let redisDb { redis.db = redisDb }
            if let redisTls { redis.useTLS = redisTls }
            spec.redis = redis
        default:
            break
        }
    }
}
