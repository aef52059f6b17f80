import DequeModule
import NIOCore
import Synchronization

/// What tasks write to one connection, on its way to the connection's event loop: messages,
/// and the actions that end or cancel a stream.
///
/// Writers run on other threads; a hop onto the loop per message (a closure, a lock, often a
/// wake-up) would cost more than the message. So writers append to this queue, and only the
/// first item after a drain schedules one: the loop then takes everything queued under one lock
/// and handles it in order, in one flush. A stream's end goes through the same queue as its
/// messages, so it can never overtake them. (A hop of its own could: it might reach the loop
/// before the drain that another writer had marked scheduled but not yet handed to the loop.)
///
/// It also holds writers back: ``wait()`` suspends while more than the high watermark is queued
/// or the channel is not writable, so the queue never becomes an unbounded buffer.
final class OutboundMessageQueue: Sendable {
    /// One queued item.
    enum Item: Sendable {
        /// A message for a stream.
        case message(streamID: UInt32, payload: [UInt8])
        /// Work for the loop after everything queued before it (ending or cancelling a stream).
        case action(@Sendable () -> Void)
    }

    /// Queued bytes above which writers wait.
    static let highWatermark = 256 * 1024
    /// Queued bytes below which waiting writers resume.
    static let lowWatermark = 64 * 1024

    private struct State {
        var items: Deque<Item> = []
        var bytes = 0
        var drainScheduled = false
        var waiters: [CheckedContinuation<Void, Never>] = []
        /// Handles a batch on the loop; `nil` once the connection's handler is gone.
        var drain: (@Sendable (Deque<Item>) -> Void)?

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
    ///   - drain: Handles a batch of items in order; runs on the channel's event loop.
    init(channel: any Channel, drain: @escaping @Sendable (Deque<Item>) -> Void) {
        self.channel = channel
        self.state = Mutex(State(drain: drain))
    }

    /// Queues a message for a stream.
    func enqueue(_ message: [UInt8], streamID: UInt32) {
        enqueue(.message(streamID: streamID, payload: message), bytes: message.count)
    }

    /// Queues work to run on the loop once everything queued before it was handled.
    func enqueue(_ action: @escaping @Sendable () -> Void) {
        enqueue(.action(action), bytes: 0)
    }

    private func enqueue(_ item: Item, bytes: Int) {
        let schedule = state.withLock { state -> Bool in
            guard state.drain != nil else { return false }
            state.items.append(item)
            state.bytes += bytes
            defer { state.drainScheduled = true }
            return !state.drainScheduled
        }
        // Outside the lock (handing work to the loop may wake it with a syscall). A drain that is
        // scheduled but not yet on the loop still takes this item: it takes the lock first.
        if schedule {
            channel.eventLoop.execute { self.drainNow() }
        }
    }

    private func drainNow() {
        let (batch, drain, waiters) = state.withLock { state in
            let batch = state.items
            state.items = []
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

    /// The handler is gone: drops queued items, wakes waiters, and forgets the drain (which
    /// holds the handler).
    func close() {
        let waiters = state.withLock { state in
            state.drain = nil
            state.items = []
            state.bytes = 0
            return state.takeWaiters()
        }
        waiters.forEach { $0.resume() }
    }
}

extension Deque where Element == OutboundMessageQueue.Item {
    /// Writes the messages of the streams `isOpen` accepts to `context` and runs the actions,
    /// in queue order; the caller flushes.
    func write(to context: ChannelHandlerContext, isOpen: (UInt32) -> Bool) {
        for item in self {
            switch item {
            case .message(let streamID, let payload):
                guard isOpen(streamID) else { continue }
                let buffer = context.channel.allocator.buffer(bytes: payload)
                context.write(NIOAny(Frame.message(streamID: streamID, payload: buffer)), promise: nil)
            case .action(let action):
                action()
            }
        }
    }
}
