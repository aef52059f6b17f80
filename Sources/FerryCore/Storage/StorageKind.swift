/// What a storage is used for. Independent of ``StorageProvider``: any provider backs any kind.
public enum StorageKind: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Source storage: objects under the prefix become tasks of the project.
    case `import`
    /// Target storage: the project's annotations are written out as objects.
    case export
    /// Objects are catalogued into a dataset (key, size, etag, last-modified, content type); no
    /// tasks are made.
    case dataset

    /// The lowercase name used in logs, the CLI and configuration (`import`, `export`, `dataset`).
    public var description: String { self.rawValue }
}
