/// What the providers of one process share: where local files live and how many object
/// fetches one storage may run at once.
public struct ProviderContext: Sendable {
    /// The default number of objects a store fetches at once.
    public static let defaultParallelism = 16

    /// The local-files root; `nil` when this process serves no local storages.
    public var localFilesRoot: String?
    /// The most object fetches one store runs at once.
    public var parallelism: Int

    /// Creates a context.
    ///
    /// - Parameters:
    ///   - localFilesRoot: The local-files root, or `nil`.
    ///   - parallelism: The most fetches at once per store (at least 1).
    public init(localFilesRoot: String?, parallelism: Int = ProviderContext.defaultParallelism) {
        self.localFilesRoot = localFilesRoot
        self.parallelism = max(1, parallelism)
    }
}
