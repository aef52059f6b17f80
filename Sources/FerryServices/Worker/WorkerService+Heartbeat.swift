import FerryCore
import FerryProto
import FerryRPC
import FerryStore
import Logging

extension WorkerService {
    /// Heartbeats: each request is acknowledged; progress is persisted at most once per job per
    /// ping interval (the lease is checked every time); a terminal outcome is committed before its
    /// acknowledgement is sent. A lease that is not current ends the stream with the lease status.
    @Sendable
    func heartbeat(
        _ requests: RPCAsyncSequence<FerryV1.HeartbeatRequest>,
        _ writer: RPCWriter<FerryV1.HeartbeatResponse>,
        _ context: ServerContext
    ) async throws -> Metadata {
        _ = try callingWorker()
        for try await request in requests {
            let lease = try JobLease(request.lease)
            let now = clock.now()
            var reply = FerryV1.HeartbeatResponse(
                ack: true,
                leaseStatus: .active,
                ackedSequence: request.sequence,
                pingIntervalMicros: policy.pingInterval.microseconds,
                serverTimeUnixMicros: now.unixMicroseconds
            )
            do {
                if let outcome = request.outcome {
                    _ = try await store.completeJob(
                        lease: lease,
                        outcome: try SyncOutcome(outcome),
                        counters: request.counters.map(SyncCounters.init),
                        now: now
                    )
                    pings.forget(jobID: lease.jobID)
                    reply.leaseStatus = .settled
                    logger.info("Job finished", metadata: ["job": "\(lease.jobID)", "result": "\(outcome.result)"])
                } else if pings.shouldPersist(jobID: lease.jobID, now: now, interval: policy.pingInterval) {
                    let progress = try await store.recordProgress(
                        lease: lease,
                        counters: SyncCounters(request.counters ?? FerryV1.SyncCounters()),
                        checkpoint: request.checkpoint.map { SyncCheckpoint($0, now: now) },
                        now: now
                    )
                    reply.cancelRequested = progress.cancelRequested
                } else {
                    let state = try await store.checkLease(lease)
                    guard state.isActive else { throw StoreError.leaseRejected(lease, state) }
                }
            } catch let error as StoreError where error.code == .leaseNotCurrent {
                pings.forget(jobID: lease.jobID)
                reply.ack = false
                reply.leaseStatus = .settled
                try await writer.write(reply)
                throw RPCError.from(store: error)
            }
            try await writer.write(reply)
        }
        return [:]
    }
}

extension StoreError {
    /// The error for a lease that a read showed to be no longer current.
    static func leaseRejected(_ lease: JobLease, _ state: LeaseState) -> StoreError {
        StoreError(code: .leaseNotCurrent, message: "The lease of job \(lease.jobID) is \(state)")
    }
}
