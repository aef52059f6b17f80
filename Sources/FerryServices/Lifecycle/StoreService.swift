public import FerryStore
public import ServiceLifecycle

/// Keeps the store open while the server runs and closes it after the RPC server has drained,
/// so every acknowledged write is committed before the process exits.
public struct StoreService: Service {
    private let store: any FerryStore
    private let beforeClose: @Sendable () async -> Void

    /// Wraps a store.
    ///
    /// - Parameters:
    ///   - store: The open store.
    ///   - beforeClose: Runs after the RPC server has drained and before the store closes
    ///     (ferryd writes the heartbeat progress still queued).
    public init(store: any FerryStore, beforeClose: @escaping @Sendable () async -> Void = {}) {
        self.store = store
        self.beforeClose = beforeClose
    }

    public func run() async throws {
        try? await gracefulShutdown()
        await beforeClose()
        try await store.close()
    }
}
