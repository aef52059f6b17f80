import FerryProto
import FerryRPC
import Synchronization

/// Follows WatchStorages for `storage list --watch` and `sync --watch`. When the server drops
/// the watch (UNAVAILABLE: it restarts or drains) it opens it again, each second, for up to
/// `reconnectFor` without an event; the new watch starts with the current state again.
struct StorageWatch: Sendable {
    /// What the watch yields.
    enum Item: Sendable {
        /// An event from the server.
        case event(FerryV1.WatchStoragesResponse)
        /// The watch was dropped and is being opened again, with the server's reason.
        case reopening(String)
    }

    let client: ConnectedClient
    let request: FerryV1.WatchStoragesRequest
    var reconnectFor: Duration = .seconds(30)

    /// The events, until the caller stops reading, a call fails with anything but UNAVAILABLE,
    /// or the server stays unreachable for `reconnectFor`.
    func items() -> AsyncThrowingStream<Item, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    try await follow(continuation)
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    private func follow(_ continuation: AsyncThrowingStream<Item, any Error>.Continuation) async throws {
        // The stream has no deadline: it lasts as long as the caller reads.
        let options = CallOptions(metadata: client.options.metadata, timeout: nil)
        let clock = ContinuousClock()
        var quietSince = clock.now
        // Bounded by cancellation (the caller stops reading) and by `reconnectFor`.
        while !Task.isCancelled {
            let received = EventFlag()
            var reason = "the server ended the watch"
            do {
                try await client.rpc.serverStreaming(
                    FerryV1.Methods.StorageService.watchStorages,
                    request: request,
                    serializer: ProtobufSerializer<FerryV1.WatchStoragesRequest>(),
                    deserializer: ProtobufDeserializer<FerryV1.WatchStoragesResponse>(),
                    options: options
                ) { responses in
                    for try await response in responses {
                        received.set()
                        continuation.yield(.event(response))
                    }
                }
            } catch let error as RPCError where error.code == .unavailable {
                reason = error.message
            }
            if received.isSet { quietSince = clock.now }
            guard clock.now - quietSince < reconnectFor else {
                throw RPCError(code: .unavailable, message: "watch lost and not back within \(reconnectFor): \(reason)")
            }
            continuation.yield(.reopening(reason))
            try await Task.sleep(for: .seconds(1))
        }
    }
}

/// Whether a watch call delivered any event.
private final class EventFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .relaxed) }
    var isSet: Bool { value.load(ordering: .relaxed) }
}
