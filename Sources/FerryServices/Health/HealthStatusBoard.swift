public import FerryProto
import Synchronization

/// The serving status of the server and of each service, which the health service reports.
///
/// Components set their status as they start, degrade or drain; watchers are told of every change.
public final class HealthStatusBoard: Sendable {
    private struct State {
        var statuses: [String: FerryV1.ServingStatus] = [:]
        var watchers: [Int: (service: String, continuation: AsyncStream<FerryV1.ServingStatus>.Continuation)] = [:]
        var nextWatcherID = 0
        var draining = false
    }

    private let state = Mutex(State())

    /// Creates a board on which the server as a whole (the empty name) is `SERVING`.
    public init() {
        state.withLock { $0.statuses[""] = .serving }
    }

    /// Sets the status of a service, or of the server as a whole for the empty name.
    ///
    /// - Parameters:
    ///   - status: The new status.
    ///   - service: A full service name such as `ferry.v1.StorageService`, or `""`.
    public func setStatus(_ status: FerryV1.ServingStatus, for service: String) {
        let watchers = state.withLock { state in
            state.statuses[service] = status
            return state.watchers.values.filter { $0.service == service }.map(\.continuation)
        }
        for watcher in watchers {
            watcher.yield(status)
        }
    }

    /// Marks every known service `NOT_SERVING` for good; used when draining before shutdown.
    public func markAllNotServing() {
        setAll(.notServing, draining: true)
    }

    /// Marks every known service `NOT_SERVING` while the database cannot be reached, and
    /// `SERVING` again when it can (unless the server is draining).
    ///
    /// - Parameter reachable: Whether the database answers.
    public func setDatabaseReachable(_ reachable: Bool) {
        setAll(reachable ? .serving : .notServing, draining: false)
    }

    /// Sets every known service's status in one step (none once draining began, unless this
    /// call begins it), then tells the watchers.
    private func setAll(_ status: FerryV1.ServingStatus, draining: Bool) {
        let watchers = state.withLock { state -> [AsyncStream<FerryV1.ServingStatus>.Continuation] in
            guard draining || !state.draining else { return [] }
            state.draining = state.draining || draining
            for service in state.statuses.keys {
                state.statuses[service] = status
            }
            return state.watchers.values.filter { state.statuses[$0.service] != nil }.map(\.continuation)
        }
        for watcher in watchers {
            watcher.yield(status)
        }
    }

    /// The status of a service, or `nil` if it is unknown.
    ///
    /// - Parameter service: The full service name, or `""` for the server.
    /// - Returns: Its status.
    public func status(of service: String) -> FerryV1.ServingStatus? {
        state.withLock { $0.statuses[service] }
    }

    /// A sequence of a service's status: the current one first, then every change.
    ///
    /// - Parameter service: The full service name, or `""` for the server.
    /// - Returns: The statuses; `SERVICE_UNKNOWN` while the service is not known.
    public func watch(_ service: String) -> AsyncStream<FerryV1.ServingStatus> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: FerryV1.ServingStatus.self,
            bufferingPolicy: .bufferingNewest(1)
        )
        let id = state.withLock { state in
            defer { state.nextWatcherID += 1 }
            state.watchers[state.nextWatcherID] = (service, continuation)
            continuation.yield(state.statuses[service] ?? .serviceUnknown)
            return state.nextWatcherID
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.watchers.removeValue(forKey: id) }
        }
        return stream
    }
}
