import DequeModule
import NIOCore
import Synchronization

/// What tasks write to one connection, on its way to the connection's event loop: messages,
/// and the actions that open, end or cancel a stream.
///
/// Writers run on other threads; a hop onto the loop per message (a closure, a lock, often a
/// wake-up) would cost more than the message. So writers append to this queue, and only the
/// first item after a drain schedules one: the loop then takes everything queued under one lock
/// and handles it in order, in one flush. A stream's end goes through the same queue as its
/// messages, so it can never overtake them. (A hop of its own could: it might reach the loop
/// before the drain that another writer had marked scheduled but not yet handed to the loop.)
///
/// It also holds writers back: ``wait()`` suspends while more than the high watermark is queued
/// or the channel is not writable, so the queue never becomes an unbounded buffer; a writer's
/// task that is cancelled stops waiting.
final class OutboundMessageQueue: Sendable {
    /// One queued item.
    enum Item: Sendable {
        /// A message for a stream.
        case message(streamID: UInt32, payload: [UInt8])
        /// Work for the loop after everything queued before it (opening, ending or cancelling a stream).
        case action(@Sendable () -> Void)
    }

    /// Queued bytes above which writers wait (until the loop drains the queue).
    static let highWatermark = 256 * 1024

    private struct State {
        var items: Deque<Item> = []
        var bytes = 0
        var drainScheduled = false
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextWaiterID = 0
        /// Handles a batch on the loop; `nil` once the connection's handler is gone.
        var drain: (@Sendable (Deque<Item>) -> Void)?

        mutating func takeWaiters() -> [CheckedContinuation<Void, Never>] {
            defer { waiters = [:] }
            return Array(waiters.values)
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

    /// Queues work to run on the loop once everything queued before it was handled. Work queued
    /// when the connection's handler goes still runs (and finds the connection closed).
    ///
    /// - Returns: `false` when the handler is gone already, so `action` will never run.
    @discardableResult
    func enqueue(_ action: @escaping @Sendable () -> Void) -> Bool {
        enqueue(.action(action), bytes: 0)
    }

    @discardableResult
    private func enqueue(_ item: Item, bytes: Int) -> Bool {
        let (accepted, schedule) = state.withLock { state -> (Bool, Bool) in
            guard state.drain != nil else { return (false, false) }
            state.items.append(item)
            state.bytes += bytes
            defer { state.drainScheduled = true }
            return (true, !state.drainScheduled)
        }
        // Outside the lock (handing work to the loop may wake it with a syscall). A drain that is
        // scheduled but not yet on the loop still takes this item: it takes the lock first.
        if schedule {
            channel.eventLoop.execute { self.drainNow() }
        }
        return accepted
    }

    private func drainNow() {
        let (batch, drain, waiters) = state.withLock { state in
            let batch = state.items
            state.items = []
            state.drainScheduled = false
            state.bytes = 0
            return (batch, state.drain, state.takeWaiters())
        }
        drain?(batch)
        waiters.forEach { $0.resume() }
    }

    private func isBlocked(queuedBytes: Int) -> Bool {
        channel.isActive && (!channel.isWritable || queuedBytes > Self.highWatermark)
    }

    /// Returns at once unless the connection is backed up; otherwise once it has drained, became
    /// writable or closed, or the waiting task is cancelled.
    func wait() async {
        // Bounded: every pass waits for a drain, a writability change, a close or cancellation.
        while !Task.isCancelled, state.withLock({ $0.drain != nil && isBlocked(queuedBytes: $0.bytes) }) {
            await waitOnce()
        }
    }

    private func waitOnce() async {
        let id = state.withLock { state -> Int in
            defer { state.nextWaiterID += 1 }
            return state.nextWaiterID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    // Checked again under the lock: every change that unblocks takes it too.
                    guard isBlocked(queuedBytes: state.bytes), state.drain != nil, !Task.isCancelled else { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }

    /// Wakes every waiter to look again; called when the channel becomes writable or inactive.
    func resumeAll() {
        state.withLock { $0.takeWaiters() }.forEach { $0.resume() }
    }

    /// The handler is gone: drops queued messages, runs queued actions (an opening among them
    /// must still tell its caller that it failed), wakes waiters, and forgets the drain (which
    /// holds the handler). Called on the loop.
    func close() {
        let (items, waiters) = state.withLock { state in
            defer {
                state.drain = nil
                state.items = []
                state.bytes = 0
            }
            return (state.items, state.takeWaiters())
        }
        for case .action(let action) in items {
            action()
        }
        waiters.forEach { $0.resume() }
    }
}

extension Deque where Element == OutboundMessageQueue.Item {
    /// Writes the messages `accept` lets through (it is given the stream id and the message's
    /// size) to `context` and runs the actions, in queue order; the caller flushes.
    func write(to context: ChannelHandlerContext, accept: (_ streamID: UInt32, _ size: Int) -> Bool) {
        for item in self {
            switch item {
            case .message(let streamID, let payload):
                guard accept(streamID, payload.count) else { continue }
                let buffer = context.channel.allocator.buffer(bytes: payload)
                context.write(NIOAny(Frame.message(streamID: streamID, payload: buffer)), promise: nil)
            case .action(let action):
                action()
            }
        }
    }
}
