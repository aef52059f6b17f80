import FerryRPC
import Synchronization

/// A server stream whose requests are a fixed list and whose responses are recorded, to test
/// the router and server without any transport.
struct InProcessStream {
    /// What the handler answered.
    final class Recorder: ServerStreamResponder {
        struct Result: Sendable {
            var messages: [[UInt8]] = []
            var status: Status?
            var trailers: Metadata = [:]
            var finishCount = 0
        }

        let result = Mutex(Result())

        func write(_ message: [UInt8]) async throws {
            result.withLock { $0.messages.append(message) }
        }

        func finish(lastMessage: [UInt8]?, status: Status, trailers: Metadata) {
            result.withLock { result in
                result.finishCount += 1
                guard result.finishCount == 1 else { return }
                if let lastMessage { result.messages.append(lastMessage) }
                result.status = status
                result.trailers = trailers
            }
        }
    }

    static func make(
        _ method: MethodDescriptor,
        requests: [[UInt8]],
        metadata: Metadata = [:]
    ) -> (ServerStream, Recorder) {
        let recorder = Recorder()
        let stream = ServerStream(
            context: ServerContext(
                descriptor: method,
                metadata: metadata,
                peer: PeerIdentity(address: "in-process"),
                deadline: nil
            ),
            requests: RPCAsyncSequence(wrapping: requests.async),
            responder: recorder
        )
        return (stream, recorder)
    }
}

/// A finite async sequence over an array.
struct ArrayAsyncSequence<Element: Sendable>: AsyncSequence, Sendable {
    typealias Failure = any Error
    let elements: [Element]

    struct AsyncIterator: AsyncIteratorProtocol {
        var remaining: ArraySlice<Element>
        mutating func next() async throws -> Element? { remaining.popFirst() }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(remaining: elements[...]) }
}

extension Array where Element: Sendable {
    var async: ArrayAsyncSequence<Element> { ArrayAsyncSequence(elements: self) }
}

/// Passes bytes through unchanged.
struct BytesCoder: MessageSerializer, MessageDeserializer {
    func serialize(_ message: [UInt8]) throws -> [UInt8] { message }
    func deserialize(_ bytes: [UInt8]) throws -> [UInt8] { bytes }
}
