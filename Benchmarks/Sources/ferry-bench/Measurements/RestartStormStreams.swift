import FerryProto
import FerryRPC
import FerryTransport
import Foundation

/// Heartbeat streams that live through a `ferryd` restart the way `ferry-worker`'s do: each on a
/// connection of its own, and when its stream fails with `UNAVAILABLE` or a deadline it waits
/// the worker's backoff (``ConnectionBackoff``: 1 s, ×1.6, ±20 % by default) and opens a new
/// stream, which reconnects (resuming the TLS session when the server accepts its ticket).
/// The heartbeats themselves are written by one ``HeartbeatMetronome``; a stream that opens
/// writes one at once, as the worker does.
enum RestartStormStreams {
    /// What one stream went through.
    struct Outcome: Sendable {
        /// When its first acknowledgement arrived (monotonic ns).
        var firstAck: UInt64?
        /// Each time it lost its stream: when, why, and when the next acknowledgement came.
        var outages: [Outage] = []
        /// Replies that refused the lease (`ack = false`, or a lease status other than ACTIVE).
        var refused = 0
        /// The error that ended it without a retry (the worker would give the job up).
        var fatal: String?
        /// Streams it opened (the first, and one per retry).
        var attempts = 0
    }

    /// One loss of a stream and its recovery.
    struct Outage: Sendable {
        var lostAt: UInt64
        var error: String
        var backAt: UInt64?
    }

    /// Runs one stream per lease (on `connections[i]`) until `end`.
    ///
    /// - Returns: Each stream's outcome, in lease order, and the metronome's task (cancelled).
    static func run(
        leases: [FerryV1.JobLease],
        connections: [FerryConnection],
        period: Duration,
        end: ContinuousClock.Instant,
        backoff: ConnectionBackoff,
        outcomes: [Locked<Outcome>]
    ) async {
        let states = leases.map(HeartbeatStreamState.init(lease:))
        let metronome = Task {
            await HeartbeatMetronome(
                streams: states, firstTick: .now + .milliseconds(100), period: period, slotLength: .milliseconds(1), end: end
            ).run()
        }
        await withTaskGroup(of: Void.self) { group in
            for index in states.indices {
                group.addTask {
                    await stream(states[index], connection: connections[index], end: end, backoff: backoff, outcome: outcomes[index])
                }
            }
        }
        metronome.cancel()
    }

    private static func stream(
        _ state: HeartbeatStreamState,
        connection: FerryConnection,
        end: ContinuousClock.Instant,
        backoff: ConnectionBackoff,
        outcome: Locked<Outcome>
    ) async {
        var failures = 0
        // Bounded by `end`: each pass is one stream, and a failed one waits its backoff first.
        while ContinuousClock.now < end {
            let acked = Locked(false)
            outcome.withLock { $0.attempts += 1 }
            do {
                try await connection.rpc.bidirectional(
                    FerryV1.Methods.WorkerService.heartbeat,
                    serializer: ProtobufSerializer<FerryV1.HeartbeatRequest>(),
                    deserializer: ProtobufDeserializer<FerryV1.HeartbeatResponse>(),
                    options: connection.options(timeout: end - .now + .seconds(30)),
                    requestProducer: { writer in
                        state.writer.withLock { $0 = writer }
                        await state.beat(late: false)
                        // Until the run ends, or the call does (which cancels this producer).
                        try? await Task.sleep(until: end, clock: .continuous)
                        state.writer.withLock { $0 = nil }
                    },
                    onResponse: { responses in
                        for try await response in responses {
                            let now = MonotonicTime.nanoseconds()
                            acked.withLock { $0 = true }
                            outcome.withLock { outcome in
                                guard response.ack, response.leaseStatus == .active else {
                                    outcome.refused += 1
                                    return
                                }
                                outcome.firstAck = outcome.firstAck ?? now
                                if let last = outcome.outages.indices.last, outcome.outages[last].backAt == nil {
                                    outcome.outages[last].backAt = now
                                }
                            }
                        }
                    }
                )
                return
            } catch let error as RPCError where error.code == .unavailable || error.code == .deadlineExceeded {
                state.writer.withLock { $0 = nil }
                // A stream that had reached the server starts a new outage.
                if acked.withLock({ $0 }) { failures = 0 }
                outcome.withLock { outcome in
                    if outcome.outages.last.map({ $0.backAt != nil }) ?? true {
                        outcome.outages.append(Outage(lostAt: MonotonicTime.nanoseconds(), error: "\(error.code)"))
                    }
                }
                failures += 1
                try? await Task.sleep(for: backoff.delay(afterFailures: failures))
            } catch {
                state.writer.withLock { $0 = nil }
                // The run ending cancels every stream; anything else ends this one for good.
                if !Task.isCancelled { outcome.withLock { $0.fatal = "\(error)" } }
                return
            }
        }
    }
}
