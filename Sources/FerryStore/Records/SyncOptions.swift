public import FerryCore

/// The options a sync was started with; they travel with its job (`ferry.v1.SyncOptions`).
public struct SyncOptions: Sendable, Hashable {
    /// Export: write only tasks whose annotations changed since they were written, even if the
    /// storage exports all.
    public var onlyNew: Bool
    /// Export: rewrite every annotated task's object this once.
    public var fullExport: Bool

    /// Creates options.
    ///
    /// - Parameters:
    ///   - onlyNew: Export: write only changed tasks whatever the storage says.
    ///   - fullExport: Export: rewrite every annotated task's object.
    public init(onlyNew: Bool = false, fullExport: Bool = false) {
        self.onlyNew = onlyNew
        self.fullExport = fullExport
    }

    /// Whether an export with these options, on a storage that does or does not export all,
    /// rewrites every annotated task's object.
    public func exportsAll(storageExportsAll: Bool) -> Bool {
        !onlyNew && (fullExport || storageExportsAll)
    }

    /// No options set.
    public static let `default` = SyncOptions()
}

/// Where a sync got to, so that a retried job can resume (`ferry.v1.SyncCheckpoint`).
public struct SyncCheckpoint: Sendable, Hashable {
    /// The last key whose items were all handed over; listing resumes after it.
    public var lastKey: String
    /// Worker-defined state (e.g. a provider continuation token); opaque to the server.
    public var state: [UInt8]
    /// When the server stored the checkpoint, on its own clock. Set by the store; ignored on input.
    public var updatedAt: FerryTime?

    /// Creates a checkpoint.
    ///
    /// - Parameters:
    ///   - lastKey: The last key fully handed over.
    ///   - state: Opaque worker state.
    ///   - updatedAt: When the server stored it; `nil` for one not yet stored.
    public init(lastKey: String, state: [UInt8] = [], updatedAt: FerryTime? = nil) {
        self.lastKey = lastKey
        self.state = state
        self.updatedAt = updatedAt
    }
}
