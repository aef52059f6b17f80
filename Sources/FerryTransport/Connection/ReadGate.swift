/// Holds socket reads while any stream's inbound buffer is full: Ferry's backpressure.
///
/// A stream whose consumer falls behind pauses reading for the whole connection, so a fast peer
/// is slowed by TCP instead of filling memory; the read held meanwhile is issued once the last
/// paused stream drains or ends.
struct ReadGate {
    private var pausedStreams: Set<UInt32> = []
    private var readPending = false

    /// A stream's buffer is full.
    mutating func pause(_ streamID: UInt32) {
        pausedStreams.insert(streamID)
    }

    /// The channel wants to read; returns whether to pass the read on now (otherwise it is held).
    mutating func requestRead() -> Bool {
        guard pausedStreams.isEmpty else {
            readPending = true
            return false
        }
        return true
    }

    /// A stream drained or ended; returns whether the held read should be issued now.
    mutating func release(_ streamID: UInt32) -> Bool {
        guard pausedStreams.remove(streamID) != nil, pausedStreams.isEmpty, readPending else { return false }
        readPending = false
        return true
    }
}
