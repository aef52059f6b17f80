/// One object a listing found.
public struct ListedObject: Sendable, Hashable {
    /// The key, relative to the storage's location (a bucket, or a local storage's directory).
    public var key: String
    /// The size in bytes, when the listing tells it without extra work (`nil` for local files,
    /// which are sized when read).
    public var size: Int64?

    /// Creates an entry.
    public init(key: String, size: Int64?) {
        self.key = key
        self.size = size
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

/// Where an import reads objects from: the listing and reading part of the provider interface
/// (docs/CONTRACT.md §1.4). Implementations keep blocking I/O off the caller's threads.
public protocol ImportSource: Sendable {
    /// Starts a listing of the storage's objects (under its prefix, recursively if configured),
    /// handed out in pages so that a huge listing is never held in memory at once.
    ///
    /// - Returns: A lister to call until it returns `nil`.
    /// - Throws: ``ImportSourceError`` when the location cannot be listed.
    func makeLister() throws -> any ObjectLister

    /// Reads objects.
    ///
    /// - Parameter keys: Keys from the listing.
    /// - Returns: Their contents, in the same order.
    /// - Throws: ``ImportSourceError`` naming the first object that cannot be read.
    func read(_ keys: [String]) async throws -> [LoadedObject]

    /// The URI a `use_blob_urls` task's data points at.
    ///
    /// - Parameter key: A key from the listing.
    /// - Returns: The object's URI.
    func blobURL(for key: String) -> String
}

/// A listing in progress. Not shareable: one caller pulls pages, one at a time.
public protocol ObjectLister: AnyObject, Sendable {
    /// The next page of objects.
    ///
    /// - Parameter maxCount: The most objects to return.
    /// - Returns: At least one object, or `nil` when the listing is done.
    /// - Throws: ``ImportSourceError`` when a directory or bucket page cannot be read.
    func next(maxCount: Int) async throws -> [ListedObject]?
}

/// A storage location cannot be listed or an object cannot be read.
public struct ImportSourceError: Error, Sendable, CustomStringConvertible {
    /// The key or path concerned.
    public var subject: String
    /// What went wrong.
    public var message: String

    /// Creates an error.
    public init(subject: String, message: String) {
        self.subject = subject
        self.message = message
    }

    public var description: String { "\(subject): \(message)" }
}
