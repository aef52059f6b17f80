import AsyncHTTPClient
public import FerryCore
import Foundation
import NIOHTTP1

/// The `gcs` provider: one Google Cloud Storage bucket over the JSON API, or a bucket of a
/// GCS-compatible server at a custom endpoint (fake-gcs-server).
///
/// Requests carry an OAuth access token of the `application_credentials` service-account key
/// (see ``GCSAccessTokens``). Without that secret, requests go without a token, which only a
/// custom endpoint accepts (fake-gcs-server does; Google's endpoint would refuse them), so a
/// storage on Google's endpoint must have the secret.
///
/// Keys are full object names. A storage's `prefix` names a folder: it is listed as `prefix/`,
/// and it stays part of the keys. `recursive_scan` off lists only the folder's first level
/// (`delimiter=/`). Reads run ``ProviderContext/parallelism`` at a time. See docs/PROVIDERS.md.
public struct GCSObjectStore: ObjectStore {
    private let client: GCSClient
    private let endpoint: GCSEndpoint
    private let bucket: String
    private let listPrefix: String
    private let recursive: Bool
    private let parallelism: Int
    private let signer: GCSURLSigner?

    /// Creates the store of a GCS storage.
    ///
    /// - Parameters:
    ///   - target: The storage's location (a ``StorageLocation/gcs(_:)``), prefix and secrets.
    ///   - context: What the providers share (the read parallelism).
    ///   - transport: The HTTP client, retries and clock (for token expiry).
    ///   - tokenURI: Where to exchange tokens; the key's `token_uri` unless a test says otherwise.
    /// - Throws: ``ProviderError`` for another provider's location, an invalid endpoint or key, or
    ///   no key for Google's endpoint.
    public init(
        target: ProviderTarget,
        context: ProviderContext,
        transport: ProviderTransport = ProviderTransport(),
        tokenURI: String? = nil
    ) throws {
        guard case .gcs(let location) = target.location else {
            throw ProviderError(subject: "\(target.location.provider)", message: "is not a GCS location")
        }
        let subject = "gs://\(location.bucket)"
        endpoint = try GCSEndpoint(location.endpointURL, subject: subject)
        bucket = location.bucket
        var tokens: GCSAccessTokens?
        if let json = target.secrets.revealValue(named: GCSServiceAccountKey.secretName) {
            let key: GCSServiceAccountKey
            let assertion: GCSTokenAssertion
            do {
                key = try GCSServiceAccountKey(json: json)
                assertion = try GCSTokenAssertion(key: key)
            } catch let error as ProviderError {
                // Name the storage's bucket: the error ends up in a sync's traceback.
                throw ProviderError(subject: subject, message: "\(error.subject) \(error.message)")
            }
            let tokenClient = GCSClient(http: transport.http, retry: transport.retry, tokens: nil)
            let exchange = GCSTokenExchange(
                assertion: assertion, tokenURI: tokenURI ?? key.tokenURI, client: tokenClient, subject: subject)
            tokens = GCSAccessTokens(exchange: exchange, clock: transport.clock)
            signer = GCSURLSigner(key: key)
        } else if endpoint.isCustom {
            signer = nil
        } else {
            throw ProviderError(
                subject: subject,
                message: "has no \(GCSServiceAccountKey.secretName); only a custom endpoint is reached without credentials")
        }
        client = GCSClient(http: transport.http, retry: transport.retry, tokens: tokens)
        listPrefix = target.folderPrefix
        recursive = target.recursive
        parallelism = context.parallelism
    }

    public func makeLister() throws -> any ObjectLister {
        GCSLister.make(client: client, endpoint: endpoint, bucket: bucket, prefix: listPrefix, recursive: recursive)
    }

    public func read(_ keys: [String]) async throws -> [LoadedObject] {
        let (client, endpoint, bucket) = (self.client, self.endpoint, self.bucket)
        return try await BoundedReads.read(keys, parallelism: parallelism) { key in
            let url = endpoint.objectURL(bucket: bucket, key: key, query: [("alt", "media")])
            return try await client.send(GCSClient.Request(method: .GET, url: url, subject: "gs://\(bucket)/\(key)")).body
        }
    }

    public func write(key: String, bytes: [UInt8], contentType: String) async throws -> WrittenObject {
        struct Resource: Decodable { var etag: String? }
        let response = try await client.send(
            GCSClient.Request(
                method: .POST, url: endpoint.uploadURL(bucket: bucket, key: key), subject: blobURL(for: key),
                headers: [("content-type", contentType)], body: bytes, bodyLimit: 1024 * 1024))
        return WrittenObject(key: key, etag: (try? JSONDecoder().decode(Resource.self, from: Data(response.body)))?.etag)
    }

    public func delete(key: String) async throws {
        _ = try await client.send(
            GCSClient.Request(
                method: .DELETE, url: endpoint.objectURL(bucket: bucket, key: key), subject: blobURL(for: key),
                alsoSuccessful: [404]))  // Already gone.
    }

    public func blobURL(for key: String) -> String {
        "gs://\(bucket)/\(key)"
    }

    /// A V4 signed URL that lets anyone holding it GET one object until it expires.
    ///
    /// - Parameters:
    ///   - key: The object's full name.
    ///   - expiresIn: Seconds it stays valid, 1 ... 604800.
    ///   - now: The signing time.
    /// - Returns: The URL, on the storage's endpoint.
    /// - Throws: ``ProviderError`` without a service-account key, or for an expiry out of range.
    public func presignedURL(for key: String, expiresIn: Int, now: FerryTime = SystemTime.now()) throws -> String {
        guard let signer else {
            throw ProviderError(subject: blobURL(for: key), message: "cannot sign a URL without \(GCSServiceAccountKey.secretName)")
        }
        return try signer.signedURL(endpoint: endpoint, bucket: bucket, key: key, expiresIn: expiresIn, now: now)
    }
}
