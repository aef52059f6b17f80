public import FerryCore

/// What a provider needs to reach one storage's objects: where they are, which of them belong
/// to the storage, and the credentials to use.
public struct ProviderTarget: Sendable {
    /// The provider's location settings (bucket, container, host, directory).
    public var location: StorageLocation
    /// The key prefix the storage covers; empty for the whole location.
    public var prefix: String
    /// Whether listings descend below the prefix's first level.
    public var recursive: Bool
    /// The storage's credentials, by secret name.
    public var secrets: StorageSecrets

    /// Creates a target.
    public init(location: StorageLocation, prefix: String = "", recursive: Bool = true, secrets: StorageSecrets = .none) {
        self.location = location
        self.prefix = prefix
        self.recursive = recursive
        self.secrets = secrets
    }

    /// A target from a storage's settings and secrets.
    public init(settings: StorageSettings, secrets: StorageSecrets) {
        self.init(location: settings.location, prefix: settings.prefix, recursive: settings.recursiveScan, secrets: secrets)
    }
}
