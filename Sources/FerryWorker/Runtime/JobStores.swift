import FerryCore
import FerryMapping
public import FerryProto
public import FerryProviders

/// Opens the object store of a claimed job: the job's storage spec and secrets, mapped to the
/// domain's settings, handed to the provider registry.
public struct JobStores: Sendable {
    private let registry: ProviderRegistry

    /// Creates the adapter.
    ///
    /// - Parameter registry: The providers this worker reaches.
    public init(registry: ProviderRegistry) {
        self.registry = registry
    }

    /// The providers this worker offers the server.
    public var providers: [FerryV1.StorageProvider] {
        registry.providers.map(\.proto)
    }

    /// The providers this worker offers, by their lowercase names (`local`, `s3`, ...), for logs.
    public var offeredProviderNames: [String] {
        registry.providers.map(\.description)
    }

    /// The store of a job's storage.
    ///
    /// - Parameter job: The claimed job, with its storage spec and credentials.
    /// - Returns: The store.
    /// - Throws: ``ProviderError`` for a provider this worker does not offer, an invalid location,
    ///   or a spec that names no location.
    public func store(for job: FerryV1.Job) throws -> any ObjectStore {
        try store(spec: job.storage ?? FerryV1.StorageSpec(), credentials: job.credentials, subject: "job \(job.id)")
    }

    /// The store of a storage spec and its secrets (a job's, or a connection check's).
    ///
    /// - Parameters:
    ///   - spec: The storage settings.
    ///   - credentials: Its secrets.
    ///   - subject: What to name in an error.
    /// - Returns: The store.
    /// - Throws: ``ProviderError``.
    public func store(spec: FerryV1.StorageSpec, credentials: [FerryV1.Secret], subject: String) throws -> any ObjectStore {
        let settings: StorageSettings
        do {
            settings = try StorageSpecMapping.settings(from: spec).1
        } catch {
            throw ProviderError(subject: subject, message: "the storage spec is unusable: \(error)")
        }
        var secrets: [String: String] = [:]
        for secret in credentials { secrets[secret.name] = secret.value }
        return try registry.store(for: ProviderTarget(settings: settings, secrets: StorageSecrets(secrets)))
    }
}
