import DequeModule
import Synchronization

/// The inbound messages of one stream, handed from the transport's event loop to the one task
/// that reads them.
///
/// The reader takes everything buffered at once, under one lock, and then works through its
/// batch without touching shared state; it suspends only when the buffer is empty. So a stream
/// carrying a flood of small messages costs one lock and at most one wake-up per batch instead
/// of per message, and the element type is concrete (no generic metadata on the hot path).
///
/// Backpressure: ``append(_:)`` answers whether the transport may keep reading. Once the buffer
/// holds `highWatermark` messages it answers `false`, and ``onDemand`` is called (on the
/// reader's thread) when the reader next takes the buffer, or stops reading for good. Messages
/// already read from the socket still arrive after a `false`, so a stream holds at most about
/// two buffers plus one read's worth of messages.
public final class InboundMessages: Sendable {
    private struct State {
        var buffered: Deque<[UInt8]> = []
        var end: Result<Void, any Error>?
        var waiter: UnsafeContinuation<Void, any Error>?
        /// The producer was told to stop and waits for ``onDemand``.
        var producerPaused = false
        /// A reader has attached (there is only ever one).
        var readerAttached = false
        /// The reader went away; messages from now on are dropped.
        var readerGone = false
    }

    private let state = Mutex(State())
    private let highWatermark: Int
    private let onDemand: @Sendable () -> Void

    /// Creates an empty buffer.
    ///
    /// - Parameters:
    ///   - highWatermark: Buffered messages at which ``append(_:)`` asks the producer to pause.
    ///   - onDemand: Called once a paused producer may go on; it must not block.
    public init(highWatermark: Int, onDemand: @escaping @Sendable () -> Void) {
        self.highWatermark = max(1, highWatermark)
        self.onDemand = onDemand
    }

    // MARK: Producer

    /// Adds a message for the reader.
    ///
    /// - Parameter message: The message.
    /// - Returns: Whether the producer may go on; `false` means pause until ``onDemand``.
    @discardableResult
    public func append(_ message: [UInt8]) -> Bool {
        let (waiter, mayContinue) = state.withLock { state -> (UnsafeContinuation<Void, any Error>?, Bool) in
            guard state.end == nil, !state.readerGone else { return (nil, true) }
            state.buffered.append(message)
            if state.buffered.count >= highWatermark {
                state.producerPaused = true
            }
            defer { state.waiter = nil }
            return (state.waiter, !state.producerPaused)
        }
        waiter?.resume()
        return mayContinue
    }

    /// Ends the messages: the reader gets what is buffered, then the end (or `error`).
    /// Calls after the first are ignored.
    ///
    /// - Parameter error: Why the messages end early, or `nil` for a normal end.
    public func finish(throwing error: (any Error)? = nil) {
        let waiter = state.withLock { state -> UnsafeContinuation<Void, any Error>? in
            guard state.end == nil else { return nil }
            state.end = error.map { .failure($0) } ?? .success(())
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    // MARK: Reader

    /// Moves every buffered message into `batch` (which must be empty), waiting while there are
    /// none; returns `false` at the end.
    ///
    /// - Parameter batch: The reader's batch, empty on entry.
    /// - Returns: `true` with at least one message in `batch`, or `false` when the messages ended.
    /// - Throws: The error the messages were finished with, or `CancellationError` when the
    ///   reading task is cancelled while it waits.
    func take(into batch: inout Deque<[UInt8]>) async throws -> Bool {
        while true {
            switch takeBuffered(into: &batch) {
            case .taken:
                return true
            case .ended(.success):
                return false
            case .ended(.failure(let error)):
                throw error
            case .empty:
                try Task.checkCancellation()
                try await waitForMessages()
            }
        }
    }

    private enum TakeResult {
        case taken
        case ended(Result<Void, any Error>)
        case empty
    }

    private func takeBuffered(into batch: inout Deque<[UInt8]>) -> TakeResult {
        let (result, resumeProducer) = state.withLock { state -> (TakeResult, Bool) in
            guard state.buffered.isEmpty else {
                swap(&batch, &state.buffered)
                defer { state.producerPaused = false }
                return (.taken, state.producerPaused)
            }
            return (state.end.map { .ended($0) } ?? .empty, false)
        }
        if resumeProducer { onDemand() }
        return result
    }

    private func waitForMessages() async throws {
        try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
                // Checked under the lock that `onCancel` takes: a cancellation is seen either here
                // or there, never missed between the two.
                let resumeNow = state.withLock { state -> Bool in
                    guard state.buffered.isEmpty, state.end == nil, !Task.isCancelled else { return true }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> UnsafeContinuation<Void, any Error>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(throwing: CancellationError())
        }
    }

    /// Claims the messages for one reader; returns `false` if another reader already did.
    func attachReader() -> Bool {
        state.withLock { state in
            defer { state.readerAttached = true }
            return !state.readerAttached
        }
    }

    /// The reader will not read again: drop what is buffered and release a paused producer.
    func readerFinished() {
        let resumeProducer = state.withLock { state -> Bool in
            state.readerGone = true
            state.buffered.removeAll()
            defer { state.producerPaused = false }
            return state.producerPaused
        }
        if resumeProducer { onDemand() }
    }
}
