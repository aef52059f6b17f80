public import FerryCore

/// Maps each ``StorageProvider`` this process can reach to the factory of its ``ObjectStore``.
/// What it holds is also what a worker offers the server in its capabilities.
public struct ProviderRegistry: Sendable {
    /// Makes the store of one storage.
    public typealias Factory = @Sendable (ProviderTarget) throws -> any ObjectStore

    private let factories: [StorageProvider: Factory]

    /// Creates a registry from explicit factories (tests use this to plug in their own stores).
    public init(factories: [StorageProvider: Factory]) {
        self.factories = factories
    }

    /// Every provider Ferry implements; `local` only when the context names a local-files root.
    ///
    /// - Parameter context: What the providers share.
    public static func standard(_ context: ProviderContext) -> ProviderRegistry {
        var factories: [StorageProvider: Factory] = [:]
        factories[.azureBlob] = { target in try AzureBlobObjectStore(target: target, context: context) }
        if let root = context.localFilesRoot {
            factories[.local] = { target in try LocalObjectStore(root: root, target: target) }
        }
        factories[.s3] = { target in try S3ObjectStore(target: target, context: context) }
        factories[.gcs] = { target in try GCSObjectStore(target: target, context: context) }
        factories[.redis] = { target in try RedisObjectStore(target: target, context: context) }
        return ProviderRegistry(factories: factories)
    }

    /// This registry without the providers not in `offered`; `nil` keeps them all.
    ///
    /// - Parameter offered: The providers to keep.
    /// - Returns: The narrowed registry.
    public func restricted(to offered: Set<StorageProvider>?) -> ProviderRegistry {
        guard let offered else { return self }
        return ProviderRegistry(factories: factories.filter { offered.contains($0.key) })
    }

    /// The providers this registry can reach, in declaration order.
    public var providers: [StorageProvider] {
        StorageProvider.allCases.filter { factories[$0] != nil }
    }

    /// The store of one storage.
    ///
    /// - Parameter target: The storage's location, prefix and secrets.
    /// - Returns: Its store.
    /// - Throws: ``ProviderError`` for a provider this registry cannot reach or an invalid location.
    public func store(for target: ProviderTarget) throws -> any ObjectStore {
        guard let factory = factories[target.location.provider] else {
            throw ProviderError(subject: "worker", message: "provider \(target.location.provider) is not offered by this process")
        }
        return try factory(target)
    }
}
