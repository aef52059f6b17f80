public import FerryCore

/// A store that can hand out time-limited HTTPS URLs to read its objects without credentials
/// (S3 Signature V4 query URLs, GCS V4 signed URLs, Azure service SAS). The server uses it to
/// resolve the provider URIs in task data when a storage has `presign` on.
public protocol PresigningStore: ObjectStore {
    /// A URL that reads `key` with a plain GET until `expiresIn` after `now`.
    ///
    /// - Parameters:
    ///   - key: The object key.
    ///   - expiresIn: How long the URL stays valid.
    ///   - now: The signing time.
    /// - Returns: The URL.
    /// - Throws: ``ProviderError`` when the credentials cannot sign (missing or malformed).
    func presignedURL(for key: String, expiresIn: FerryDuration, now: FerryTime) throws -> String
}

extension ObjectStore {
    /// The key a provider URI of this store names (`s3://bucket/a/b.json` → `a/b.json`), or `nil`
    /// when the URI points elsewhere. The inverse of ``blobURL(for:)`` for stores whose URIs
    /// carry the key as it is.
    public func key(forBlobURL uri: String) -> String? {
        let root = blobURL(for: "")
        guard uri.count > root.count, uri.hasPrefix(root) else { return nil }
        return String(uri.dropFirst(root.count))
    }
}
