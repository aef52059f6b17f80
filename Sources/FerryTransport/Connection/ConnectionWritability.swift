import NIOCore
import Synchronization

/// Holds back tasks that write to a connection faster than it can send.
///
/// Writers hop their frames onto the event loop; without a limit the loop's task queue would
/// become an unbounded buffer. A writer therefore counts its bytes in before the hop
/// (``enqueue(_:)``), the loop counts them out once written (``dequeued(_:)``), and ``wait()``
/// suspends while more than the high watermark is queued or the channel is not writable.
final class ConnectionWritability: Sendable {
    /// Queued bytes above which writers wait.
    static let highWatermark = 256 * 1024
    /// Queued bytes below which waiting writers resume.
    static let lowWatermark = 64 * 1024

    private let waiters = Mutex<[CheckedContinuation<Void, Never>]>([])
    private let queued = Atomic<Int>(0)
    private let channel: any Channel

    init(channel: any Channel) {
        self.channel = channel
    }

    /// Counts bytes a writer is about to hop onto the loop.
    func enqueue(_ bytes: Int) {
        queued.add(bytes, ordering: .relaxed)
    }

    /// Counts bytes the loop has written; wakes writers once the queue has drained enough.
    func dequeued(_ bytes: Int) {
        let (remaining, _) = queued.subtract(bytes, ordering: .relaxed)
        if remaining < Self.lowWatermark && remaining + bytes >= Self.lowWatermark {
            resumeAll()
        }
    }

    private var isBlocked: Bool {
        channel.isActive && (!channel.isWritable || queued.load(ordering: .relaxed) > Self.highWatermark)
    }

    /// Returns at once unless the connection is backed up; otherwise when it has drained, became
    /// writable, or closed.
    func wait() async {
        guard isBlocked else { return }
        await withCheckedContinuation { continuation in
            let resumeNow = waiters.withLock { waiters -> Bool in
                // Checked again under the lock: `resumeAll` takes the same lock after each change.
                if !isBlocked { return true }
                waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    /// Wakes every waiter; called when the channel becomes writable or closes, or the queue drains.
    func resumeAll() {
        let waiting = waiters.withLock { waiters in
            defer { waiters = [] }
            return waiters
        }
        waiting.forEach { $0.resume() }
    }
}
