import Synchronization

/// The responses of a streaming call, decoded, as an async sequence.
///
/// Iteration ends normally when the server finishes with `OK`; a non-OK status is thrown as an
/// ``RPCError``. After the end, ``initialMetadata`` and ``trailingMetadata`` hold what was received.
public struct ClientResponseStream<Response: Sendable>: AsyncSequence, Sendable {
    public typealias Element = Response
    public typealias Failure = any Error

    private let parts: RPCAsyncSequence<ClientResponsePart>
    private let deserializer: @Sendable ([UInt8]) throws -> Response
    private let received: ReceivedMetadata

    init(parts: RPCAsyncSequence<ClientResponsePart>, deserializer: some MessageDeserializer<Response>) {
        self.parts = parts
        self.deserializer = { try deserializer.deserialize($0) }
        self.received = ReceivedMetadata()
    }

    /// The initial metadata the server sent, if any yet.
    public var initialMetadata: Metadata { received.state.withLock { $0.initial } }

    /// The trailing metadata, once the stream has ended with `OK`.
    public var trailingMetadata: Metadata { received.state.withLock { $0.trailing } }

    /// Decodes parts into messages.
    public struct AsyncIterator: AsyncIteratorProtocol {
        private var parts: RPCAsyncSequence<ClientResponsePart>.AsyncIterator
        private let deserializer: @Sendable ([UInt8]) throws -> Response
        private let received: ReceivedMetadata
        private var done = false

        fileprivate init(_ stream: ClientResponseStream) {
            self.parts = stream.parts.makeAsyncIterator()
            self.deserializer = stream.deserializer
            self.received = stream.received
        }

        public mutating func next() async throws -> Response? {
            while !done, let part = try await parts.next() {
                switch part {
                case .metadata(let metadata):
                    received.state.withLock { $0.initial = metadata }
                case .message(let bytes):
                    return try deserializer(bytes)
                case .trailers(let status, let metadata):
                    done = true
                    guard status.code == .ok else { throw RPCError(status: status, metadata: metadata) }
                    received.state.withLock { $0.trailing = metadata }
                }
            }
            if !done {
                done = true
                throw RPCError(code: .internal, message: "The response stream ended without a status")
            }
            return nil
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(self)
    }
}

/// Metadata seen while iterating, shared by the sequence and its iterator.
private final class ReceivedMetadata: Sendable {
    struct State {
        var initial: Metadata = [:]
        var trailing: Metadata = [:]
    }

    let state = Mutex(State())
}
