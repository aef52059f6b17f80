/// A storage as the server knows it: its settings, its sync state and bookkeeping.
///
/// Holds no secret values — only ``secretNames`` says which secrets are stored — so a `Storage`
/// can be returned to any reader and logged.
public struct Storage: Sendable, Hashable, Identifiable {
    /// The server-assigned id.
    public var id: Int64
    /// What the storage is used for; fixed after creation.
    public var kind: StorageKind
    /// The settings.
    public var settings: StorageSettings
    /// The names of the stored secrets, sorted (never their values).
    public var secretNames: [String]
    /// The state of the current or last sync.
    public var syncInfo: SyncInfo
    /// When the storage was created.
    public var createdAt: FerryTime
    /// When its settings last changed.
    public var updatedAt: FerryTime
    /// Incremented on every settings change, for optimistic concurrency on updates.
    public var revision: Int64

    /// Creates a storage.
    ///
    /// - Parameters:
    ///   - id: The server-assigned id.
    ///   - kind: What the storage is used for.
    ///   - settings: The settings.
    ///   - secretNames: The names of the stored secrets.
    ///   - syncInfo: The sync state; a new storage is ``SyncInfo/initial``.
    ///   - createdAt: When it was created.
    ///   - updatedAt: When its settings last changed.
    ///   - revision: The settings revision.
    public init(
        id: Int64,
        kind: StorageKind,
        settings: StorageSettings,
        secretNames: [String] = [],
        syncInfo: SyncInfo = .initial,
        createdAt: FerryTime,
        updatedAt: FerryTime,
        revision: Int64 = 1
    ) {
        self.id = id
        self.kind = kind
        self.settings = settings
        self.secretNames = secretNames.sorted()
        self.syncInfo = syncInfo
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.revision = revision
    }

    /// The provider, decided by the settings' location.
    public var provider: StorageProvider {
        self.settings.location.provider
    }

    /// Whether any secret is stored.
    public var hasSecrets: Bool {
        !self.secretNames.isEmpty
    }
}
