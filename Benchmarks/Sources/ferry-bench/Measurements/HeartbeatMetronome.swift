import FerryProto
import FerryRPC
import Foundation

/// What one heartbeat stream shares between the metronome that writes its heartbeats and the
/// task that reads its acknowledgements.
final class HeartbeatStreamState: Sendable {
    let lease: FerryV1.JobLease
    /// When each heartbeat was written (monotonic ns); heartbeat `n` carries sequence `n`.
    let sentTimes = Locked<[UInt64]>([])
    /// Heartbeats written more than one period after their tick (the generator fell behind).
    let lateSends = Locked(0)
    /// Set by the stream's request producer once the call is open.
    let writer = Locked<RPCWriter<FerryV1.HeartbeatRequest>?>(nil)

    init(lease: FerryV1.JobLease) {
        self.lease = lease
    }

    /// Writes the next heartbeat; a stream that is not open yet or has ended skips the tick.
    func beat(late: Bool) async {
        guard let writer = writer.withLock({ $0 }) else { return }
        if late { lateSends.withLock { $0 += 1 } }
        let sequence = sentTimes.withLock { times in
            times.append(MonotonicTime.nanoseconds())
            return UInt64(times.count)
        }
        let progress = Int64(sequence)
        try? await writer.write(
            FerryV1.HeartbeatRequest(
                lease: lease,
                counters: FerryV1.SyncCounters(synced: progress, objectsScanned: progress, bytes: progress * 1024),
                sequence: sequence,
                sentUnixMicros: Int64(Date().timeIntervalSince1970 * 1e6)))
    }
}

/// Writes the heartbeats of many streams from one task. The streams' ticks are staggered evenly
/// over one period and grouped into slots of `slotLength`; the metronome wakes once per slot and
/// writes every heartbeat due in it. (A task per stream sleeping until its own tick made the load
/// generator spend more CPU than `ferryd`, half of it in the kernel's scheduler waking timer
/// threads, and on two shared cores that CPU was taken from the server being measured.)
struct HeartbeatMetronome: Sendable {
    let streams: [HeartbeatStreamState]
    let firstTick: ContinuousClock.Instant
    let period: Duration
    let slotLength: Duration
    let end: ContinuousClock.Instant

    /// The streams due in each slot of a period, stream `i` of `n` at `period × i / n`.
    var slots: [[HeartbeatStreamState]] {
        let count = max(1, Int((period / slotLength).rounded(.up)))
        var slots = Array(repeating: [HeartbeatStreamState](), count: count)
        for (index, stream) in streams.enumerated() {
            slots[min(count - 1, index * count / max(1, streams.count))].append(stream)
        }
        return slots
    }

    /// Beats until `end`, one period after another.
    func run() async {
        let slots = self.slots
        var periodStart = firstTick
        // Bounded by `end`: every pass moves `periodStart` one period on.
        while periodStart < end, !Task.isCancelled {
            for (index, due) in slots.enumerated() where !due.isEmpty {
                let tick = periodStart + slotLength * index
                guard tick < end else { return }
                try? await Task.sleep(until: tick, clock: .continuous)
                let late = ContinuousClock.now - tick > period
                for stream in due { await stream.beat(late: late) }
            }
            periodStart += period
        }
    }
}
