import Synchronization

/// A call's stream id, which the connection's loop assigns when it opens the stream: a unary
/// call gets its stream object before that (its opening is queued, not awaited), so whatever
/// acts on the stream later reads the id from here, on the loop.
final class StreamNumber: Sendable {
    /// 0 until assigned.
    private let id = Atomic<UInt32>(0)

    /// The stream id; `nil` while the opening is still queued (or after it failed).
    var assigned: UInt32? {
        let value = id.load(ordering: .acquiring)
        return value == 0 ? nil : value
    }

    /// Records the id the loop gave the stream (client stream ids are odd, never 0).
    func assign(_ streamID: UInt32) {
        id.store(streamID, ordering: .releasing)
    }
}
