public import FerryProto

/// Makes the object source for a storage, by provider. Knows what this worker can read, which
/// is also what it tells the server in its capabilities.
public struct ImportSourceFactory: Sendable {
    private let localFilesRoot: String?

    /// Creates a factory.
    ///
    /// - Parameter localFilesRoot: The worker's local-files root; `nil` if it serves no local storages.
    public init(localFilesRoot: String?) {
        self.localFilesRoot = localFilesRoot
    }

    /// The providers this worker can import from.
    public var providers: [FerryV1.StorageProvider] {
        localFilesRoot == nil ? [] : [.local]
    }

    /// The source of one storage.
    ///
    /// - Parameter spec: The storage settings from the job.
    /// - Returns: The source.
    /// - Throws: ``ImportSourceError`` for a provider this worker cannot read or an invalid location.
    public func source(for spec: FerryV1.StorageSpec) throws -> any ImportSource {
        switch spec.provider {
        case .local:
            guard let localFilesRoot else {
                throw ImportSourceError(subject: "worker", message: "no storage.localFilesRoot is configured")
            }
            return try LocalFilesSource(
                root: localFilesRoot,
                path: spec.local?.path ?? "",
                prefix: spec.prefix,
                recursive: spec.recursiveScan
            )
        default:
            throw ImportSourceError(subject: "worker", message: "provider \(spec.provider) is not supported by this worker")
        }
    }
}
