public import FerryStore
public import ServiceLifecycle

/// Follows the changes other server replicas make to a shared database (a store that is a
/// ``StoreChangeFeed``) while the server runs; with a store of one process only, it just waits
/// for the shutdown.
public struct StoreChangeService: Service {
    private let store: any FerryStore
    private let handle: @Sendable (StoreChange) async -> Void

    /// Creates the service.
    ///
    /// - Parameters:
    ///   - store: The open store.
    ///   - handle: Called with each change, in order.
    public init(store: any FerryStore, handle: @escaping @Sendable (StoreChange) async -> Void) {
        self.store = store
        self.handle = handle
    }

    public func run() async throws {
        guard let feed = store as? any StoreChangeFeed else {
            try? await gracefulShutdown()
            return
        }
        await cancelWhenGracefulShutdown { [handle] in
            await feed.followChanges(handle)
        }
    }
}
