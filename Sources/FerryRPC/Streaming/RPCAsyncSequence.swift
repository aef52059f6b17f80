/// A type-erased, sendable async sequence of messages, as handed to handlers and clients.
///
/// It hides which transport produced the messages; iterating it may throw an ``RPCError``
/// (for example `CANCELLED` when the peer gave up).
public struct RPCAsyncSequence<Element: Sendable>: AsyncSequence, Sendable {
    public typealias Failure = any Error

    private let base: any AsyncSequence<Element, any Error> & Sendable

    /// Wraps a sequence.
    ///
    /// - Parameter base: The sequence to wrap.
    public init(wrapping base: some AsyncSequence<Element, any Error> & Sendable) {
        self.base = base
    }

    /// An iterator over the wrapped sequence.
    public struct AsyncIterator: AsyncIteratorProtocol {
        private var base: any AsyncIteratorProtocol<Element, any Error>

        fileprivate init(_ base: any AsyncIteratorProtocol<Element, any Error>) {
            self.base = base
        }

        public mutating func next() async throws -> Element? {
            try await base.next(isolation: nil)
        }

        public mutating func next(isolation actor: isolated (any Actor)?) async throws(any Error) -> Element? {
            try await base.next(isolation: actor)
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base.makeAsyncIterator())
    }
}

extension RPCAsyncSequence {
    /// Decodes each element of a byte-message sequence.
    ///
    /// - Parameters:
    ///   - bytes: The raw messages.
    ///   - deserializer: Decodes one message.
    /// - Returns: A sequence of decoded messages; a message that fails to decode ends it with that error.
    public static func decoding(
        _ bytes: RPCAsyncSequence<[UInt8]>,
        with deserializer: some MessageDeserializer<Element>
    ) -> RPCAsyncSequence<Element> {
        RPCAsyncSequence(wrapping: bytes.map { try deserializer.deserialize($0) })
    }
}
