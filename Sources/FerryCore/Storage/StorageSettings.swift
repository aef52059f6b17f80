/// The settings of a storage that a client chooses: everything but its id, kind, sync state and
/// secrets (`ferry.v1.StorageSpec` without `kind`/`provider`, which ``Storage`` holds).
///
/// A value of this type is not yet known to be valid; ``StorageValidator`` checks it.
public struct StorageSettings: Sendable, Hashable {
    /// The project whose tasks or annotations the storage syncs; fixed after creation.
    public var projectID: Int64
    /// A short human-readable name.
    public var title: String
    /// A longer free-form description.
    public var description: String
    /// Whether the storage can be synced at all (StartSync is refused otherwise).
    public var synchronizable: Bool
    /// Where the objects are; its case decides the provider.
    public var location: StorageLocation
    /// The key prefix (folder) inside the location; empty for the whole bucket/container/root.
    public var prefix: String
    /// A regular expression a key must match in full to be synced; empty matches every key.
    /// See ``KeyFilter``.
    public var regexFilter: String
    /// List objects below the prefix recursively, not only its direct children.
    public var recursiveScan: Bool
    /// Import: one task per object whose data is the object's URI, instead of parsing the object
    /// as task JSON.
    public var useBlobURLs: Bool
    /// Hand out presigned URLs for objects instead of proxying them.
    public var presign: Bool
    /// How long a presigned URL stays valid; `nil` for the server default.
    public var presignTTL: FerryDuration?
    /// Export: deleting an annotation also deletes its exported object.
    public var canDeleteObjects: Bool
    /// Export: every sync rewrites every annotated task's object, not only the changed ones.
    public var exportAll: Bool
    /// Export: every annotation change of the project queues a sync.
    public var exportOnChange: Bool
    /// Start a sync automatically this often; `nil` for no periodic sync.
    public var syncInterval: FerryDuration?
    /// Dataset storages: the dataset objects are catalogued into; `nil` when not set.
    public var datasetID: Int64?

    /// Creates settings.
    ///
    /// - Parameters:
    ///   - projectID: The project whose tasks or annotations the storage syncs.
    ///   - title: A short human-readable name.
    ///   - description: A longer free-form description.
    ///   - synchronizable: Whether the storage can be synced.
    ///   - location: Where the objects are.
    ///   - prefix: The key prefix inside the location.
    ///   - regexFilter: A full-key regular expression; empty matches every key.
    ///   - recursiveScan: List recursively.
    ///   - useBlobURLs: Import: one task per object, pointing at it.
    ///   - presign: Hand out presigned URLs.
    ///   - presignTTL: How long presigned URLs stay valid; `nil` for the server default.
    ///   - canDeleteObjects: Export: deleting an annotation deletes its object.
    ///   - exportAll: Export: every sync rewrites every annotated task's object.
    ///   - exportOnChange: Export: every annotation change queues a sync.
    ///   - syncInterval: Periodic sync interval; `nil` for none.
    ///   - datasetID: Dataset storages: the target dataset.
    public init(
        projectID: Int64,
        title: String,
        description: String = "",
        synchronizable: Bool = true,
        location: StorageLocation,
        prefix: String = "",
        regexFilter: String = "",
        recursiveScan: Bool = false,
        useBlobURLs: Bool = false,
        presign: Bool = false,
        presignTTL: FerryDuration? = nil,
        canDeleteObjects: Bool = false,
        exportAll: Bool = false,
        exportOnChange: Bool = false,
        syncInterval: FerryDuration? = nil,
        datasetID: Int64? = nil
    ) {
        self.projectID = projectID
        self.title = title
        self.description = description
        self.synchronizable = synchronizable
        self.location = location
        self.prefix = prefix
        self.regexFilter = regexFilter
        self.recursiveScan = recursiveScan
        self.useBlobURLs = useBlobURLs
        self.presign = presign
        self.presignTTL = presignTTL
        self.canDeleteObjects = canDeleteObjects
        self.exportAll = exportAll
        self.exportOnChange = exportOnChange
        self.syncInterval = syncInterval
        self.datasetID = datasetID
    }

    /// The provider the location belongs to.
    public var provider: StorageProvider {
        self.location.provider
    }
}
