public import FerryCore

/// One object a listing found.
public struct ListedObject: Sendable, Hashable {
    /// The key, relative to the storage's location (a bucket, a container, a Redis database, or
    /// a local storage's directory). It includes the storage's prefix.
    public var key: String
    /// The size in bytes, when the listing tells it without extra work (`nil` for local files,
    /// which are sized when read, unless listed by ``ObjectStore/makeMetadataLister()``, and for
    /// Redis keys).
    public var size: Int64?
    /// The object's entity tag as the provider gives it (quotes removed), when it has one.
    public var etag: String?
    /// When the object was last written, when the provider tells it.
    public var lastModified: FerryTime?
    /// The object's media type, when the listing tells it (GCS, Azure Blob Storage).
    public var contentType: String?

    /// Creates an entry.
    public init(
        key: String, size: Int64?, etag: String? = nil, lastModified: FerryTime? = nil, contentType: String? = nil
    ) {
        self.key = key
        self.size = size
        self.etag = etag
        self.lastModified = lastModified
        self.contentType = contentType
    }
}

/// One object's content.
public struct LoadedObject: Sendable {
    /// The key.
    public var key: String
    /// The bytes.
    public var bytes: [UInt8]

    /// Creates a loaded object.
    public init(key: String, bytes: [UInt8]) {
        self.key = key
        self.bytes = bytes
    }
}

/// What a write left behind.
public struct WrittenObject: Sendable, Hashable {
    /// The key written.
    public var key: String
    /// The entity tag the provider gave the new content, when it gives one.
    public var etag: String?

    /// Creates a record of a write.
    public init(key: String, etag: String?) {
        self.key = key
        self.etag = etag
    }
}

/// One storage's objects, whatever the provider: the interface every provider implements
/// (docs/PROVIDERS.md). Import reads through it; export and dataset storages write and list
/// through it; the server presigns through it.
///
/// Implementations keep blocking I/O off the caller's threads, bound their own concurrency, and
/// retry what is worth retrying (connection errors, 5xx, throttling) before they throw.
public protocol ObjectStore: Sendable {
    /// Starts a listing of the storage's objects (under its prefix, recursively if configured),
    /// handed out in pages so that a huge listing is never held in memory at once.
    ///
    /// - Returns: A lister to call until it returns `nil`.
    /// - Throws: ``ProviderError`` when the location cannot be listed.
    func makeLister() throws -> any ObjectLister

    /// Starts a listing whose objects carry all the metadata the provider can give cheaply (size,
    /// entity tag, last modified, content type), for dataset catalogues. The same as
    /// ``makeLister()`` for providers whose listing already carries it; local files are looked up
    /// one `fstatat` each.
    ///
    /// - Returns: A lister to call until it returns `nil`.
    /// - Throws: ``ProviderError`` when the location cannot be listed.
    func makeMetadataLister() throws -> any ObjectLister

    /// Reads objects, several at a time up to the store's parallelism. An object's body is
    /// streamed in and refused as soon as it passes ``ObjectLimits/maxObjectBytes``.
    ///
    /// - Parameter keys: Keys from the listing.
    /// - Returns: Their contents, in the same order.
    /// - Throws: ``ProviderError`` naming the first object that cannot be read.
    func read(_ keys: [String]) async throws -> [LoadedObject]

    /// Writes (creates or replaces) one object.
    ///
    /// - Parameters:
    ///   - key: The full key, prefix included.
    ///   - bytes: The content.
    ///   - contentType: The media type to store with it, where the provider keeps one.
    /// - Returns: The key and the new entity tag.
    /// - Throws: ``ProviderError``.
    func write(key: String, bytes: [UInt8], contentType: String) async throws -> WrittenObject

    /// Deletes one object; deleting an object that does not exist succeeds.
    ///
    /// - Parameter key: The full key.
    /// - Throws: ``ProviderError``.
    func delete(key: String) async throws

    /// The URI a `use_blob_urls` task's data points at (`s3://bucket/key`, `gs://…`,
    /// `azure-blob://container/key`, `redis://…`, `file://…`).
    ///
    /// - Parameter key: A key from the listing.
    /// - Returns: The object's URI.
    func blobURL(for key: String) -> String
}

/// Limits every provider applies.
public enum ObjectLimits {
    /// Objects larger than this are refused rather than read into memory.
    public static let maxObjectBytes: Int64 = 256 * 1024 * 1024
}

extension ObjectStore {
    /// The plain listing, for providers whose listing carries the metadata already.
    public func makeMetadataLister() throws -> any ObjectLister {
        try makeLister()
    }

    /// Checks that the location can be listed and that its first object can be read (the
    /// platform's "check connection").
    ///
    /// - Returns: The first key found, or `nil` when the location is empty.
    /// - Throws: ``ProviderError`` naming what failed and the provider's answer.
    public func validate() async throws -> String? {
        let lister = try makeLister()
        guard let first = try await lister.next(maxCount: 1)?.first else { return nil }
        _ = try await read([first.key])
        return first.key
    }
}

/// A listing in progress. Not shareable: one caller pulls pages, one at a time.
public protocol ObjectLister: AnyObject, Sendable {
    /// The next page of objects.
    ///
    /// - Parameter maxCount: The most objects to return.
    /// - Returns: At least one object, or `nil` when the listing is done.
    /// - Throws: ``ProviderError`` when a directory or bucket page cannot be read.
    func next(maxCount: Int) async throws -> [ListedObject]?
}

/// A listing with no objects: a location that has nothing under its prefix yet.
final class EmptyObjectLister: ObjectLister {
    func next(maxCount: Int) async throws -> [ListedObject]? { nil }
}
