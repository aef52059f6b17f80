public import FerryCore

/// One object's metadata as a dataset sync's listing saw it (`ferry.v1.DatasetObject`).
public struct DatasetObjectMetadata: Sendable, Hashable {
    /// The object key, the storage's prefix included.
    public var key: String
    /// The size in bytes.
    public var size: Int64
    /// The provider's entity tag; empty when it gives none.
    public var etag: String
    /// When the object was last written, when the provider tells it.
    public var lastModified: FerryTime?
    /// The media type, when the provider tells it.
    public var contentType: String?

    /// Creates the metadata of one object.
    public init(key: String, size: Int64, etag: String, lastModified: FerryTime? = nil, contentType: String? = nil) {
        self.key = key
        self.size = size
        self.etag = etag
        self.lastModified = lastModified
        self.contentType = contentType
    }
}

/// The answer to ``FerryStore/upsertDatasetObjects(lease:objects:checkpoint:now:)``: each distinct
/// key of the batch counted once.
public struct DatasetUpsertResult: Sendable, Hashable {
    /// Objects new to the catalogue, or tombstoned before and seen again (revived).
    public var inserted: Int64
    /// Live objects whose etag or size changed.
    public var updated: Int64
    /// Live objects with the same etag and size; not rewritten, only marked seen.
    public var unchanged: Int64

    /// Creates a result.
    public init(inserted: Int64, updated: Int64, unchanged: Int64) {
        self.inserted = inserted
        self.updated = updated
        self.unchanged = unchanged
    }
}

/// One catalogued object of a dataset storage.
public struct CataloguedObject: Sendable, Hashable {
    /// Its metadata as last written.
    public var metadata: DatasetObjectMetadata
    /// When it was first catalogued (or revived after a tombstone).
    public var firstSeenAt: FerryTime
    /// When its metadata was last written.
    public var updatedAt: FerryTime
    /// When a complete listing no longer saw it; `nil` while it is live.
    public var deletedAt: FerryTime?

    /// Creates a catalogue entry.
    public init(metadata: DatasetObjectMetadata, firstSeenAt: FerryTime, updatedAt: FerryTime, deletedAt: FerryTime?) {
        self.metadata = metadata
        self.firstSeenAt = firstSeenAt
        self.updatedAt = updatedAt
        self.deletedAt = deletedAt
    }
}

/// Which catalogue entries ``FerryStore/listDatasetObjects(_:)`` returns: one storage's, in
/// ascending key order (bytewise), one page at a time.
public struct DatasetObjectQuery: Sendable, Hashable {
    /// The most entries per page when none is asked for.
    public static let defaultPageSize = 500
    /// The most entries one page may hold.
    public static let maxPageSize = 5_000

    /// The dataset storage.
    public var storageID: Int64
    /// Only keys that start with this; empty for all.
    public var prefix: String
    /// Whether tombstoned entries are returned too.
    public var includeDeleted: Bool
    /// Entries per page; 0 or less for ``defaultPageSize``, capped at ``maxPageSize``.
    public var pageSize: Int
    /// Start after this key; `nil` for the first page.
    public var afterKey: String?

    /// Creates a query.
    public init(storageID: Int64, prefix: String = "", includeDeleted: Bool = false, pageSize: Int = 0, afterKey: String? = nil) {
        self.storageID = storageID
        self.prefix = prefix
        self.includeDeleted = includeDeleted
        self.pageSize = pageSize
        self.afterKey = afterKey
    }

    /// The page size actually used.
    public var effectivePageSize: Int {
        self.pageSize <= 0 ? Self.defaultPageSize : min(self.pageSize, Self.maxPageSize)
    }
}

/// One page of a dataset's catalogue.
public struct DatasetObjectPage: Sendable, Hashable {
    /// The entries, in ascending key order.
    public var objects: [CataloguedObject]
    /// The key to continue after; `nil` on the last page.
    public var nextAfterKey: String?

    /// Creates a page.
    public init(objects: [CataloguedObject], nextAfterKey: String?) {
        self.objects = objects
        self.nextAfterKey = nextAfterKey
    }
}
