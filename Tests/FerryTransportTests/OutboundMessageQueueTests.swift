import DequeModule
import NIOCore
import NIOEmbedded
import Synchronization
import Testing

@testable import FerryTransport

/// `OutboundMessageQueue`: items from several writers reach the loop in the order they were
/// queued, a stream's end never ahead of its messages, one drain per batch; writers wait while
/// too much is queued; a closed queue drops the messages it holds, runs its actions and frees
/// its writers.
@Suite("Outbound message queue")
struct OutboundMessageQueueTests {
    /// What the drain saw, in order, and how many drains ran.
    private final class Record: Sendable {
        let events = Mutex<[String]>([])
        let drains = Atomic<Int>(0)
    }

    private func makeQueue() throws -> (OutboundMessageQueue, EmbeddedChannel, Record) {
        let channel = EmbeddedChannel()
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        let record = Record()
        let queue = OutboundMessageQueue(channel: channel) { items in
            record.drains.add(1, ordering: .relaxed)
            for item in items {
                switch item {
                case .message(let streamID, let payload):
                    record.events.withLock { $0.append("message \(streamID) \(payload)") }
                case .action(let action):
                    action()
                }
            }
        }
        return (queue, channel, record)
    }

    @Test("Messages and stream ends from several writers keep their order, in one drain")
    func order() throws {
        let (queue, channel, record) = try makeQueue()
        queue.enqueue([1], streamID: 1)  // Schedules the drain.
        queue.enqueue([2], streamID: 3)  // Finds it scheduled.
        queue.enqueue { record.events.withLock { $0.append("end 3") } }
        queue.enqueue([3], streamID: 1)
        queue.enqueue { record.events.withLock { $0.append("end 1") } }
        channel.embeddedEventLoop.run()
        #expect(record.events.withLock { $0 } == ["message 1 [1]", "message 3 [2]", "end 3", "message 1 [3]", "end 1"])
        #expect(record.drains.load(ordering: .relaxed) == 1)
        _ = try channel.finish()
    }

    @Test("A writer waits while more than the high watermark is queued, until the loop drains")
    func backpressure() async throws {
        let (queue, channel, _) = try makeQueue()
        queue.enqueue([UInt8](repeating: 0, count: OutboundMessageQueue.highWatermark + 1), streamID: 1)
        let waited = Task { await queue.wait() }
        try await Task.sleep(for: .milliseconds(50))
        channel.embeddedEventLoop.run()
        await waited.value
        await queue.wait()  // Drained: returns at once.
        _ = try channel.finish()
    }

    @Test("A waiting writer whose task is cancelled stops waiting")
    func cancelledWriter() async throws {
        let (queue, channel, _) = try makeQueue()
        queue.enqueue([UInt8](repeating: 0, count: OutboundMessageQueue.highWatermark + 1), streamID: 1)
        let waited = Task { await queue.wait() }
        try await Task.sleep(for: .milliseconds(50))
        waited.cancel()
        await waited.value  // Returns although nothing was drained.
        channel.embeddedEventLoop.run()
        _ = try channel.finish()
    }

    @Test("A closed queue drops what it holds and frees its writers")
    func close() async throws {
        let (queue, channel, record) = try makeQueue()
        queue.enqueue([UInt8](repeating: 0, count: OutboundMessageQueue.highWatermark + 1), streamID: 1)
        let waited = Task { await queue.wait() }
        try await Task.sleep(for: .milliseconds(50))
        queue.close()
        await waited.value
        #expect(!queue.enqueue { record.events.withLock { $0.append("late") } })
        channel.embeddedEventLoop.run()
        #expect(record.events.withLock { $0 }.isEmpty)
        _ = try channel.finish()
    }

    @Test("Actions queued before the close still run, once, and in order; messages do not")
    func closeRunsQueuedActions() throws {
        let (queue, channel, record) = try makeQueue()
        queue.enqueue([1], streamID: 1)
        #expect(queue.enqueue { record.events.withLock { $0.append("open 3") } })
        queue.enqueue { record.events.withLock { $0.append("cancel 3") } }
        queue.close()
        #expect(record.events.withLock { $0 } == ["open 3", "cancel 3"])
        channel.embeddedEventLoop.run()  // The drain scheduled before the close finds nothing.
        #expect(record.events.withLock { $0 } == ["open 3", "cancel 3"])
        _ = try channel.finish()
    }
}
