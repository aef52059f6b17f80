import FerryRPC
import Synchronization
import Testing

/// `InboundMessages` and the sequence built on it: order, end and error, backpressure with its
/// demand signal, a waiting reader woken by a message or cancelled, and a reader that leaves.
struct InboundMessagesTests {
    @Test func deliversMessagesInOrderThenEnds() async throws {
        let messages = InboundMessages(highWatermark: 100) {}
        for index in 0..<10 { messages.append([UInt8(index)]) }
        messages.finish()
        var received: [[UInt8]] = []
        for try await message in RPCAsyncSequence(messages) { received.append(message) }
        #expect(received == (0..<10).map { [UInt8($0)] })
    }

    @Test func anErrorComesAfterTheBufferedMessages() async throws {
        let messages = InboundMessages(highWatermark: 100) {}
        messages.append([1])
        messages.append([2])
        messages.finish(throwing: RPCError(code: .cancelled, message: "gone"))
        var received: [[UInt8]] = []
        await #expect(throws: RPCError.self) {
            for try await message in RPCAsyncSequence(messages) { received.append(message) }
        }
        #expect(received == [[1], [2]])
    }

    @Test func theHighWatermarkPausesTheProducerUntilTheReaderTakesTheBuffer() async throws {
        let demands = Counter()
        let messages = InboundMessages(highWatermark: 3) { demands.increment() }
        #expect(messages.append([1]))
        #expect(messages.append([2]))
        #expect(messages.append([3]) == false)
        #expect(demands.value == 0)
        var iterator = RPCAsyncSequence(messages).makeAsyncIterator()
        #expect(try await iterator.next() == [1])
        #expect(demands.value == 1)  // The reader took all three at once.
        #expect(messages.append([4]))
        #expect(try await iterator.next() == [2])
        #expect(try await iterator.next() == [3])
        #expect(try await iterator.next() == [4])
        #expect(demands.value == 1)  // Only a paused producer is told.
    }

    @Test func aWaitingReaderIsWokenByTheNextMessage() async throws {
        let messages = InboundMessages(highWatermark: 10) {}
        let reader = Task {
            var iterator = RPCAsyncSequence(messages).makeAsyncIterator()
            return try await iterator.next()
        }
        try await Task.sleep(for: .milliseconds(20))
        messages.append([42])
        #expect(try await reader.value == [42])
    }

    @Test func cancellingAWaitingReaderEndsItsWait() async throws {
        let messages = InboundMessages(highWatermark: 10) {}
        let reader = Task {
            var iterator = RPCAsyncSequence(messages).makeAsyncIterator()
            return try await iterator.next()
        }
        try await Task.sleep(for: .milliseconds(20))
        reader.cancel()
        await #expect(throws: CancellationError.self) { try await reader.value }
    }

    @Test func aReaderThatLeavesReleasesAPausedProducer() async throws {
        let demands = Counter()
        let messages = InboundMessages(highWatermark: 2) { demands.increment() }
        var iterator: RPCAsyncSequence<[UInt8]>.AsyncIterator? = RPCAsyncSequence(messages).makeAsyncIterator()
        messages.append([1])
        #expect(try await iterator?.next() == [1])
        messages.append([2])
        #expect(messages.append([3]) == false)
        #expect(demands.value == 0)
        iterator = nil
        // The iterator is gone: the producer may go on, and what it sends is dropped.
        #expect(demands.value == 1)
        #expect(messages.append([4]))
    }

    @Test func aMessageThatFailsToDecodeEndsTheSequence() async throws {
        let messages = InboundMessages(highWatermark: 10) {}
        messages.append([1])
        messages.append([])  // CountingDecoder refuses empty messages.
        messages.append([3])
        messages.finish()
        var iterator = RPCAsyncSequence.decoding(RPCAsyncSequence(messages), with: CountingDecoder()).makeAsyncIterator()
        #expect(try await iterator.next() == 1)
        await #expect(throws: EmptyMessage.self) { try await iterator.next() }
        #expect(try await iterator.next() == nil)
    }

    @Test func aSecondIteratorFailsInsteadOfSharingTheMessages() async throws {
        let messages = InboundMessages(highWatermark: 10) {}
        let sequence = RPCAsyncSequence(messages)
        var first = sequence.makeAsyncIterator()
        var second = sequence.makeAsyncIterator()
        messages.append([1])
        await #expect(throws: RPCError.self) { try await second.next() }
        #expect(try await first.next() == [1])
    }

    @Test func decodingAppliesToEachMessage() async throws {
        let messages = InboundMessages(highWatermark: 10) {}
        messages.append([1, 2])
        messages.append([3])
        messages.finish()
        let decoded = RPCAsyncSequence.decoding(RPCAsyncSequence(messages), with: CountingDecoder())
        var counts: [Int] = []
        for try await count in decoded { counts.append(count) }
        #expect(counts == [2, 1])
    }
}

/// What ``CountingDecoder`` throws for an empty message.
private struct EmptyMessage: Error {}

/// Decodes a message into its length; an empty message does not decode.
private struct CountingDecoder: MessageDeserializer {
    func deserialize(_ bytes: [UInt8]) throws -> Int {
        guard !bytes.isEmpty else { throw EmptyMessage() }
        return bytes.count
    }
}

/// A thread-safe counter for demand callbacks.
private final class Counter: Sendable {
    private let count = Atomic<Int>(0)

    func increment() { count.add(1, ordering: .relaxed) }

    var value: Int { count.load(ordering: .relaxed) }
}
