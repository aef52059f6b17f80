import DequeModule

/// A sendable async sequence of messages, as handed to handlers and clients.
///
/// It hides which transport produced the messages; iterating it may throw an ``RPCError``
/// (for example `CANCELLED` when the peer gave up), and after the end or an error it returns
/// `nil`. Iterate it once: messages go to one reader, and a second iterator fails.
///
/// A sequence made from ``InboundMessages`` (what a transport fills) reads them in batches and
/// decodes each with a plain closure, so a streaming call pays no per-message lock, wake-up or
/// type-erased iterator; any other sequence is wrapped as it is.
public struct RPCAsyncSequence<Element: Sendable>: AsyncSequence, Sendable {
    public typealias Failure = any Error

    fileprivate enum Base: Sendable {
        case messages(InboundMessages, decode: @Sendable ([UInt8]) throws -> Element)
        case wrapped(any AsyncSequence<Element, any Error> & Sendable)
    }

    private let base: Base

    /// Wraps a sequence.
    ///
    /// - Parameter base: The sequence to wrap.
    public init(wrapping base: some AsyncSequence<Element, any Error> & Sendable) {
        self.base = .wrapped(base)
    }

    private init(messages: InboundMessages, decode: @escaping @Sendable ([UInt8]) throws -> Element) {
        self.base = .messages(messages, decode: decode)
    }

    /// An iterator over the messages.
    public struct AsyncIterator: AsyncIteratorProtocol {
        private enum Base {
            case messages(MessageReader, decode: @Sendable ([UInt8]) throws -> Element)
            case wrapped(any AsyncIteratorProtocol<Element, any Error>)
        }

        private var base: Base
        /// Messages taken from ``InboundMessages`` and not yet returned.
        private var batch: Deque<[UInt8]> = []
        /// Set once the sequence ended or threw: later calls return `nil`.
        private var done = false

        fileprivate init(_ base: RPCAsyncSequence.Base) {
            switch base {
            case .messages(let messages, let decode):
                self.base = .messages(MessageReader(messages), decode: decode)
            case .wrapped(let sequence):
                self.base = .wrapped(sequence.makeAsyncIterator())
            }
        }

        public mutating func next() async throws -> Element? {
            try await next(isolation: nil)
        }

        public mutating func next(isolation actor: isolated (any Actor)?) async throws(any Error) -> Element? {
            switch base {
            case .messages(let reader, let decode):
                guard !done else { return nil }
                do {
                    if batch.isEmpty {
                        guard try await reader.take(into: &batch) else {
                            done = true
                            return nil
                        }
                    }
                    return try decode(batch.removeFirst())
                } catch {
                    done = true
                    batch.removeAll()
                    throw error
                }
            case .wrapped(var iterator):
                defer { base = .wrapped(iterator) }
                return try await iterator.next(isolation: actor)
            }
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base)
    }
}

extension RPCAsyncSequence where Element == [UInt8] {
    /// The messages a transport fills, as a sequence.
    ///
    /// - Parameter messages: The stream's inbound buffer.
    public init(_ messages: InboundMessages) {
        self.init(messages: messages, decode: { $0 })
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
        switch bytes.base {
        case .messages(let messages, let raw):
            RPCAsyncSequence(messages: messages) { try deserializer.deserialize(raw($0)) }
        case .wrapped:
            RPCAsyncSequence(wrapping: bytes.map { try deserializer.deserialize($0) })
        }
    }
}

/// The one reader of an ``InboundMessages``: tells it when the reader is gone (the last copy of
/// the iterator ended), so a handler that stops reading never leaves its connection's reads
/// paused. A second iterator over the same messages gets an error instead of a share of them.
private final class MessageReader: Sendable {
    private let messages: InboundMessages
    private let attached: Bool

    init(_ messages: InboundMessages) {
        self.messages = messages
        self.attached = messages.attachReader()
    }

    func take(into batch: inout Deque<[UInt8]>) async throws -> Bool {
        guard attached else {
            throw RPCError(code: .internal, message: "The messages of a stream can be read only once")
        }
        return try await messages.take(into: &batch)
    }

    deinit {
        if attached { messages.readerFinished() }
    }
}
