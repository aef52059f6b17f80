public import FerryStore
public import ServiceLifecycle

/// Keeps the store open while the server runs and closes it after the RPC server has drained,
/// so every acknowledged write is committed before the process exits.
public struct StoreService: Service {
    private let store: any FerryStore

    /// Wraps a store.
    ///
    /// - Parameter store: The open store.
    public init(store: any FerryStore) {
        self.store = store
    }

    public func run() async throws {
        try? await gracefulShutdown()
        try await store.close()
    }
}
