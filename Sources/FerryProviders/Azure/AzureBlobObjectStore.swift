import FerryCore
import NIOHTTP1

/// The `azure_blob` provider: one container of Azure Blob Storage (or of a service that speaks
/// its REST API at a custom endpoint), with requests signed by Shared Key from the
/// `account_key` secret, or authorized by a `sas_token` secret appended to each request.
///
/// Keys are full blob names. A storage's `prefix` names a folder: it is listed as `prefix/`, so
/// `data` does not take `data2/…`, and it stays part of the keys. `recursive_scan` off lists only
/// the folder's first level (`delimiter=/`). Reads run ``ProviderContext/parallelism`` at a time.
/// Writes make block blobs. See docs/PROVIDERS.md.
public struct AzureBlobObjectStore: ObjectStore {
    let client: AzureBlobClient
    private let listPrefix: String
    private let recursive: Bool
    private let parallelism: Int

    /// Creates the store of an Azure Blob storage.
    ///
    /// - Parameters:
    ///   - target: The storage's location (an ``StorageLocation/azureBlob(_:)``), prefix and secrets.
    ///   - context: What the providers share (the read parallelism).
    ///   - transport: The HTTP client, retries and the clock of each request's `x-ms-date`.
    /// - Throws: ``ProviderError`` for another provider's location, an invalid endpoint, or
    ///   missing or malformed credentials.
    public init(target: ProviderTarget, context: ProviderContext, transport: ProviderTransport = ProviderTransport()) throws {
        guard case .azureBlob(let location) = target.location else {
            throw ProviderError(subject: "\(target.location.provider)", message: "is not an Azure Blob location")
        }
        let subject = "azure-blob://\(location.container)"
        client = AzureBlobClient(
            endpoint: try AzureBlobEndpoint(location),
            credentials: try AzureCredentials(secrets: target.secrets, accountName: location.accountName, subject: subject),
            http: transport.http, retry: transport.retry, clock: transport.clock)
        listPrefix = target.folderPrefix
        recursive = target.recursive
        parallelism = context.parallelism
    }

    public func makeLister() throws -> any ObjectLister {
        AzureBlobLister.make(client: client, prefix: listPrefix, recursive: recursive)
    }

    public func read(_ keys: [String]) async throws -> [LoadedObject] {
        let client = self.client
        return try await BoundedReads.read(keys, parallelism: parallelism) { key in
            try await client.send(AzureBlobClient.Request(method: .GET, blob: key)).body
        }
    }

    public func write(key: String, bytes: [UInt8], contentType: String) async throws -> WrittenObject {
        let headers = [("content-type", contentType), ("x-ms-blob-type", "BlockBlob")]
        let response = try await client.send(AzureBlobClient.Request(method: .PUT, blob: key, headers: headers, body: bytes))
        return WrittenObject(key: key, etag: response.headers.first(name: "etag").map(EntityTag.unquoted))
    }

    /// Deletes a blob; a blob that is already gone (404 `BlobNotFound`) counts as deleted. A
    /// missing container is still an error.
    public func delete(key: String) async throws {
        do {
            _ = try await client.send(AzureBlobClient.Request(method: .DELETE, blob: key))
        } catch let error as ProviderError where error.code == "BlobNotFound" || error.code == "HTTP 404" {
            return
        }
    }

    public func blobURL(for key: String) -> String {
        client.subject(key)
    }
}
