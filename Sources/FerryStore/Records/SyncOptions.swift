public import FerryCore

/// The options a sync was started with; they travel with its job (`ferry.v1.SyncOptions`).
public struct SyncOptions: Sendable, Hashable {
    /// Export: write only annotations that have no export link yet.
    public var onlyNew: Bool

    /// Creates options.
    ///
    /// - Parameter onlyNew: Export: write only annotations without an export link.
    public init(onlyNew: Bool = false) {
        self.onlyNew = onlyNew
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
