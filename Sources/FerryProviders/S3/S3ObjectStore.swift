public import FerryCore
import Foundation
import NIOHTTP1

/// The `s3` provider: one bucket of Amazon S3 or of an S3-compatible service, reached over
/// HTTPS (or HTTP, for a custom endpoint) with requests signed by Signature Version 4.
///
/// Keys are full object keys. A storage's `prefix` names a folder: it is listed as `prefix/`, so
/// `data` does not take `data2/…`, and it stays part of the keys. `recursive_scan` off lists only
/// the folder's first level (`delimiter=/`). Reads run ``ProviderContext/parallelism`` at a time.
/// See docs/PROVIDERS.md.
public struct S3ObjectStore: ObjectStore {
    private let client: S3Client
    private let listPrefix: String
    private let recursive: Bool
    private let parallelism: Int
    private let sseKMSKeyID: String

    /// Creates the store of an S3 storage.
    ///
    /// - Parameters:
    ///   - target: The storage's location (an ``StorageLocation/s3(_:)``), prefix and secrets.
    ///   - context: What the providers share (the read parallelism).
    ///   - transport: The HTTP client, retries and signing clock.
    /// - Throws: ``ProviderError`` for another provider's location, an invalid endpoint, or
    ///   missing credentials.
    public init(target: ProviderTarget, context: ProviderContext, transport: ProviderTransport = ProviderTransport()) throws {
        guard case .s3(let location) = target.location else {
            throw ProviderError(subject: "\(target.location.provider)", message: "is not an S3 location")
        }
        let endpoint = try S3Endpoint(location)
        let credentials = try S3Credentials(secrets: target.secrets, subject: "s3://\(location.bucket)")
        client = S3Client(
            endpoint: endpoint, signer: SigV4Signer(credentials: credentials, region: endpoint.region), http: transport.http,
            retry: transport.retry, clock: transport.clock)
        listPrefix = target.folderPrefix
        recursive = target.recursive
        parallelism = context.parallelism
        sseKMSKeyID = location.sseKMSKeyID
    }

    public func makeLister() throws -> any ObjectLister {
        S3Lister.make(client: client, prefix: listPrefix, recursive: recursive)
    }

    public func read(_ keys: [String]) async throws -> [LoadedObject] {
        let client = self.client
        return try await BoundedReads.read(keys, parallelism: parallelism) { key in
            try await client.send(S3Client.Request(method: .GET, key: key)).body
        }
    }

    public func write(key: String, bytes: [UInt8], contentType: String) async throws -> WrittenObject {
        var headers: [(name: String, value: String)] = [("content-type", contentType)]
        if !sseKMSKeyID.isEmpty {
            headers.append(("x-amz-server-side-encryption", "aws:kms"))
            headers.append(("x-amz-server-side-encryption-aws-kms-key-id", sseKMSKeyID))
        }
        let response = try await client.send(S3Client.Request(method: .PUT, key: key, headers: headers, body: bytes))
        return WrittenObject(key: key, etag: response.headers.first(name: "etag").map(EntityTag.unquoted))
    }

    public func delete(key: String) async throws {
        do {
            _ = try await client.send(S3Client.Request(method: .DELETE, key: key))
        } catch let error as ProviderError where error.code == "NoSuchKey" {
            return  // S3 itself answers 204; some compatible services say the key is missing.
        }
    }

    public func blobURL(for key: String) -> String {
        client.subject(key)
    }

    /// A URL that lets anyone holding it GET one object until it expires, signed with the
    /// storage's credentials (query-string Signature Version 4); its scheme is the endpoint's.
    ///
    /// - Parameters:
    ///   - key: The object's full key.
    ///   - expiresIn: Seconds it stays valid (S3 accepts 1 ... 604800).
    ///   - now: The signing time.
    /// - Returns: The URL.
    public func presignedURL(for key: String, expiresIn: Int, now: FerryTime = SystemTime.now()) -> String {
        let endpoint = client.endpoint
        let path = endpoint.path(for: key)
        let query = client.signer.presignedQuery(
            method: "GET", host: endpoint.host, path: path, expiresIn: expiresIn, now: now)
        return endpoint.url(path: path, query: query)
    }
}
