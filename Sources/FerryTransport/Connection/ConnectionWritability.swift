import NIOCore
import Synchronization

/// Lets tasks that write to a connection wait while its outbound buffer is above the high
/// watermark, so a fast writer is slowed to the network's pace instead of buffering without bound.
final class ConnectionWritability: Sendable {
    private let waiters = Mutex<[CheckedContinuation<Void, Never>]>([])
    private let channel: any Channel

    init(channel: any Channel) {
        self.channel = channel
    }

    /// Returns at once if the channel is writable (or closed); otherwise when it becomes writable.
    func wait() async {
        guard !channel.isWritable, channel.isActive else { return }
        await withCheckedContinuation { continuation in
            let resumeNow = waiters.withLock { waiters -> Bool in
                // Checked again under the lock: `resumeAll` takes the same lock after each change.
                if channel.isWritable || !channel.isActive { return true }
                waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    /// Wakes every waiter; called on the event loop when the channel becomes writable or closes.
    func resumeAll() {
        let waiting = waiters.withLock { waiters in
            defer { waiters = [] }
            return waiters
        }
        waiting.forEach { $0.resume() }
    }
}
