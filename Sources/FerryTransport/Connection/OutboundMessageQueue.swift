import DequeModule
import NIOCore
import Synchronization

/// The messages tasks write to one connection, on their way to its event loop.
///
/// Writers run on other threads; a hop onto the loop per message (a closure, a lock, often a
/// wake-up) would cost more than the message. So writers append to this queue, and only the
/// first message after a drain schedules one: the loop then takes everything queued under one
/// lock and writes it in one flush. Messages keep their order, and a frame a writer hops onto
/// the loop itself (a stream's end) after its messages still leaves after them, because taking
/// the queue and clearing "drain scheduled" happen together.
///
/// It also holds writers back: ``wait()`` suspends while more than the high watermark is queued
/// or the channel is not writable, so the queue never becomes an unbounded buffer.
final class OutboundMessageQueue: Sendable {
    /// One message for a stream.
    struct Message: Sendable {
        let streamID: UInt32
        let payload: [UInt8]
    }

    /// Queued bytes above which writers wait.
    static let highWatermark = 256 * 1024
    /// Queued bytes below which waiting writers resume.
    static let lowWatermark = 64 * 1024

    private struct State {
        var messages: Deque<Message> = []
        var bytes = 0
        var drainScheduled = false
        var waiters: [CheckedContinuation<Void, Never>] = []
        /// Writes the loop's share of a batch; `nil` once the connection's handler is gone.
        var drain: (@Sendable (Deque<Message>) -> Void)?

        mutating func takeWaiters() -> [CheckedContinuation<Void, Never>] {
            defer { waiters = [] }
            return waiters
        }
    }

    private let state: Mutex<State>
    private let channel: any Channel

    /// Creates the queue of a connection.
    ///
    /// - Parameters:
    ///   - channel: The connection.
    ///   - drain: Writes a batch of messages; runs on the channel's event loop.
    init(channel: any Channel, drain: @escaping @Sendable (Deque<Message>) -> Void) {
        self.channel = channel
        self.state = Mutex(State(drain: drain))
    }

    /// Queues a message and, if none is pending, schedules a drain on the loop.
    func enqueue(_ message: [UInt8], streamID: UInt32) {
        let schedule = state.withLock { state -> Bool in
            guard state.drain != nil else { return false }
            state.messages.append(Message(streamID: streamID, payload: message))
            state.bytes += message.count
            defer { state.drainScheduled = true }
            return !state.drainScheduled
        }
        if schedule {
            channel.eventLoop.execute { self.drainNow() }
        }
    }

    private func drainNow() {
        let (batch, drain, waiters) = state.withLock { state in
            let batch = state.messages
            state.messages = []
            state.drainScheduled = false
            let bytesBefore = state.bytes
            state.bytes = 0
            let waiters = bytesBefore >= Self.lowWatermark ? state.takeWaiters() : []
            return (batch, state.drain, waiters)
        }
        drain?(batch)
        waiters.forEach { $0.resume() }
    }

    private var isBlocked: Bool {
        channel.isActive && (!channel.isWritable || state.withLock { $0.bytes } > Self.highWatermark)
    }

    /// Returns at once unless the connection is backed up; otherwise when it has drained, became
    /// writable, or closed.
    func wait() async {
        guard isBlocked else { return }
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state -> Bool in
                // Checked again under the lock: every change that unblocks takes it too.
                let blocked = channel.isActive && (!channel.isWritable || state.bytes > Self.highWatermark)
                guard blocked, state.drain != nil else { return true }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    /// Wakes every waiter; called when the channel becomes writable.
    func resumeAll() {
        state.withLock { $0.takeWaiters() }.forEach { $0.resume() }
    }

    /// The handler is gone: drops queued messages, wakes waiters, and forgets the drain (which
    /// holds the handler).
    func close() {
        let waiters = state.withLock { state in
            state.drain = nil
            state.messages = []
            state.bytes = 0
            return state.takeWaiters()
        }
        waiters.forEach { $0.resume() }
    }
}
