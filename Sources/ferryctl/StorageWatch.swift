import AsyncAlgorithms
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

    /// Runs `body` over the events until it returns, a call fails with anything but UNAVAILABLE,
    /// or the server stays unreachable for `reconnectFor`. The events reach `body` through a
    /// channel that holds one at a time: while `body` is slow (its output is a pipe nobody reads),
    /// the watch waits instead of piling events up in memory.
    func items<Result>(_ body: (AsyncThrowingChannel<Item, any Error>) async throws -> Result) async throws -> Result {
        let channel = AsyncThrowingChannel<Item, any Error>()
        let producer = Task {
            do {
                try await follow(channel)
                channel.finish()
            } catch {
                channel.fail(error)
            }
        }
        defer { producer.cancel() }
        return try await body(channel)
    }

    private func follow(_ channel: AsyncThrowingChannel<Item, any Error>) async throws {
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
                        await channel.send(.event(response))
                    }
                }
            } catch let error as RPCError where error.code == .unavailable {
                reason = error.message
            }
            if received.isSet { quietSince = clock.now }
            guard clock.now - quietSince < reconnectFor else {
                throw RPCError(code: .unavailable, message: "watch lost and not back within \(reconnectFor): \(reason)")
            }
            await channel.send(.reopening(reason))
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
