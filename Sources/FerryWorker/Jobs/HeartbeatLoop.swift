import FerryProto
import Foundation
import FerryRPC
import Logging
import Synchronization

/// The heartbeats of one job, sent from a timer every `ping_interval` whatever the sync loop is
/// doing, then the terminal outcome, sent as soon as it is known and repeated until the server
/// acknowledges it.
///
/// Replies steer the job: a cancel request or a lease that is no longer active stops it through
/// its ``JobControl``. When the stream breaks because the server went away, the loop reconnects
/// with backoff and carries on under the same lease; it gives up after `stale_after` without the
/// server, by which time the server has failed the job anyway.
struct HeartbeatLoop: Sendable {
    let job: FerryV1.Job
    let control: JobControl
    let client: WorkerClient
    let logger: Logger

    /// How one stream ended.
    private enum StreamEnd: Sendable {
        /// The terminal outcome was acknowledged, or the lease is no longer active: nothing more to send.
        case done
        /// The server ended the stream without either; open another.
        case again
    }

    /// State shared by the request and reply sides, across streams.
    private final class Shared: Sendable {
        struct Values {
            var sequence: UInt64 = 0
            var terminalSequence: UInt64?
            /// Replies received over all streams; a stream that got one had reached the server.
            var replies: UInt64 = 0
            var interval: Duration
        }

        private let values: Mutex<Values>

        init(interval: Duration) { values = Mutex(Values(interval: interval)) }

        func withLock<Result>(_ body: (inout Values) -> Result) -> Result { values.withLock { body(&$0) } }
    }

    /// Runs until the outcome is acknowledged, the lease is gone, or the server stayed away too long.
    func run() async {
        let shared = Shared(interval: job.pingInterval)
        let patience = job.patience
        var failures = 0
        var unreachableSince: ContinuousClock.Instant?
        while !Task.isCancelled {
            let repliesBefore = shared.withLock { $0.replies }
            do {
                let end = try await client.heartbeat(
                    requestProducer: { writer in try await produce(writer, shared) },
                    onResponse: { replies in try await consume(replies, shared) }
                )
                if case .done = end { return }
                failures = 0
                unreachableSince = nil
            } catch let error as RPCError where error.isLeaseRejection {
                stopForLostLease("the server refused the lease: \(error.message)")
                return
            } catch where WorkerClient.isTransient(error) {
                if shared.withLock({ $0.replies }) > repliesBefore {
                    // This stream had reached the server: a new outage starts now.
                    failures = 0
                    unreachableSince = nil
                }
                let since = unreachableSince ?? .now
                unreachableSince = since
                guard ContinuousClock.now - since < patience else {
                    logger.error("Server unreachable for longer than stale_after; giving the job up", metadata: meta)
                    control.requestStop(.leaseLost("the server was unreachable for longer than stale_after"))
                    return
                }
                failures += 1
                let delay = client.retryDelay(afterFailures: failures)
                logger.warning("Heartbeat stream lost; reconnecting", metadata: meta.merging(["error": "\(error)", "delay": "\(delay)"]) { $1 })
                try? await Task.sleep(for: delay)
            } catch {
                logger.error("Heartbeat stream failed", metadata: meta.merging(["error": "\(error)"]) { $1 })
                control.requestStop(.leaseLost("heartbeats failed: \(error)"))
                return
            }
        }
    }

    /// Writes a heartbeat now and every interval; the terminal one as soon as the outcome is set.
    private func produce(_ writer: RPCWriter<FerryV1.HeartbeatRequest>, _ shared: Shared) async throws {
        while true {
            let finished = control.isFinished
            let outcome = finished ? control.outcome : nil
            if finished && outcome == nil { return }  // Nothing may be reported under this lease.
            let (sequence, interval) = shared.withLock { shared -> (UInt64, Duration) in
                shared.sequence += 1
                if outcome != nil { shared.terminalSequence = shared.sequence }
                return (shared.sequence, shared.interval)
            }
            try await writer.write(
                FerryV1.HeartbeatRequest(
                    lease: client.lease(for: job),
                    counters: control.counters,
                    outcome: outcome,
                    sequence: sequence,
                    sentUnixMicros: Int64(Date().timeIntervalSince1970 * 1_000_000)
                )
            )
            if outcome != nil { return }  // Half-close; the reply side waits for the acknowledgement.
            await control.finished.wait(after: 0, upTo: interval)
        }
    }

    private func consume(_ replies: ClientResponseStream<FerryV1.HeartbeatResponse>, _ shared: Shared)
        async throws -> StreamEnd
    {
        for try await reply in replies {
            let terminal = shared.withLock { shared -> UInt64? in
                shared.replies += 1
                if reply.pingIntervalMicros > 0 { shared.interval = .microseconds(reply.pingIntervalMicros) }
                return shared.terminalSequence
            }
            if let terminal, reply.ackedSequence >= terminal {
                if !reply.ack {
                    // An earlier copy of the outcome (sent before a reconnect) or a verdict settled it.
                    logger.notice("The server had already settled the job", metadata: meta)
                }
                return .done
            }
            if reply.leaseStatus != .active {
                stopForLostLease("lease \(reply.leaseStatus)")
                return .done
            }
            if reply.cancelRequested {
                control.requestStop(.cancelRequested)
            }
        }
        return control.isFinished && control.outcome == nil ? .done : .again
    }

    private func stopForLostLease(_ why: String) {
        logger.warning("Lease no longer current; stopping the job", metadata: meta.merging(["why": "\(why)"]) { $1 })
        control.requestStop(.leaseLost(why))
    }

    private var meta: Logger.Metadata { ["job": "\(job.id)", "storage": "\(job.storageID)"] }
}
