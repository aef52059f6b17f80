public import FerryStore
import Synchronization

/// Fans storage touches out to every open WatchStorages call, and ends those calls when the
/// server shuts down. With no call open, a touch costs one uncontended lock.
public final class StorageWatchHub: Sendable {
    private struct State {
        var inboxes: [ObjectIdentifier: WatchInbox] = [:]
        var closed = false
    }

    private let state = Mutex(State())

    /// Creates a hub with no watcher.
    public init() {}

    /// Hands a touch to every open watch.
    ///
    /// - Parameter touch: What may have changed.
    public func touch(_ touch: StorageTouch) {
        let inboxes = state.withLock { $0.inboxes.isEmpty ? [] : Array($0.inboxes.values) }
        for inbox in inboxes { inbox.post(touch) }
    }

    /// How many watches are open.
    public var openCount: Int { state.withLock { $0.inboxes.count } }

    /// Opens an inbox for one call; `nil` once the server is shutting down.
    func open() -> WatchInbox? {
        state.withLock { state in
            guard !state.closed else { return nil }
            let inbox = WatchInbox()
            state.inboxes[ObjectIdentifier(inbox)] = inbox
            return inbox
        }
    }

    /// Forgets a call's inbox when the call ends.
    func release(_ inbox: WatchInbox) {
        state.withLock { _ = $0.inboxes.removeValue(forKey: ObjectIdentifier(inbox)) }
    }

    /// Ends every open watch and refuses new ones: the server is shutting down.
    public func close() {
        let inboxes = state.withLock { state in
            state.closed = true
            return Array(state.inboxes.values)
        }
        for inbox in inboxes { inbox.finish() }
    }
}
