import FerryCore
import FerryProto
import FerryRPC
import FerryStore
import Logging

extension WorkerService {
    /// Heartbeats: each request is acknowledged at once from the lease cache
    /// (``LeaseCachingStore``), and its progress is persisted in the background at most once per
    /// job per ping interval (the ledger keeps the newest arrival for termination detection). A terminal outcome is committed before its
    /// acknowledgement is sent. A lease the cache does not know is checked against the store (its
    /// progress written with the next batch, which fences it, before the acknowledgement). A lease that is not current ends the
    /// stream with the lease status; one presented by another worker process ends it with
    /// `PERMISSION_DENIED`.
    @Sendable
    func heartbeat(
        _ requests: RPCAsyncSequence<FerryV1.HeartbeatRequest>,
        _ writer: RPCWriter<FerryV1.HeartbeatResponse>,
        _ context: ServerContext
    ) async throws -> Metadata {
        var pending = requests.makeAsyncIterator()
        guard let first = try await pending.next() else { return [:] }
        // The stream is open for its whole life: it is how this server knows the instance is alive.
        let worker = try callingWorker()
        let caller = try JobLease(first.lease, presentedBy: worker)
        try await instances.withOpenCall(workerID: caller.workerID, instanceID: caller.instanceID, heartbeat: true) {
            var next: FerryV1.HeartbeatRequest? = first
            while let request = next {
                let lease = try JobLease(request.lease, presentedBy: worker)
                let now = clock.now()
                try await settleIfSilent(lease, now: now)
                try await answer(request, lease: lease, now: now, writer: writer)
                next = try await pending.next()
            }
        }
        return [:]
    }

    private func answer(
        _ request: FerryV1.HeartbeatRequest,
        lease: JobLease,
        now: FerryTime,
        writer: RPCWriter<FerryV1.HeartbeatResponse>
    ) async throws {
        ServerMetrics.heartbeatReceived()
        var reply = FerryV1.HeartbeatResponse(
            ack: true,
            leaseStatus: .active,
            ackedSequence: request.sequence,
            pingIntervalMicros: policy.pingInterval.microseconds,
            serverTimeUnixMicros: now.unixMicroseconds
        )
        do {
            if let outcome = request.outcome {
                try await complete(lease, outcome: outcome, counters: request.counters, now: now)
                reply.leaseStatus = .settled
            } else {
                reply.cancelRequested = try await recordProgress(request, lease: lease, now: now)
            }
        } catch let error as StoreError where error.code == .leaseNotCurrent {
            reply.ack = false
            reply.leaseStatus = await refusedLeaseStatus(lease)
            try await writer.write(reply)
            throw RPCError.from(store: error)
        } catch let error as StoreError {
            throw RPCError.from(store: error)
        }
        try await writer.write(reply)
    }

    private func complete(
        _ lease: JobLease,
        outcome: FerryV1.JobOutcome,
        counters: FerryV1.SyncCounters?,
        now: FerryTime
    ) async throws {
        await progress.flush()  // Progress must not land after the outcome.
        _ = try await store.completeJob(
            lease: lease,
            outcome: try SyncOutcome(outcome),
            counters: counters.map(SyncCounters.init),
            now: now
        )
        logger.info("Job finished", metadata: ["job": "\(lease.jobID)", "result": "\(outcome.result)"])
    }

    /// Records progress and returns whether a cancel was requested.
    private func recordProgress(_ request: FerryV1.HeartbeatRequest, lease: JobLease, now: FerryTime) async throws
        -> Bool
    {
        let counters = SyncCounters(request.counters ?? FerryV1.SyncCounters())
        if let field = counters.firstNegativeField {
            // Refused here, not by the background write, so an acknowledgement is never a lie.
            throw RPCError(code: .invalidArgument, message: "counters.\(field): must not be negative")
        }
        let checkpoint = request.checkpoint.map { SyncCheckpoint($0, now: now) }
        guard let cancelRequested = store.cachedCancelRequested(for: lease) else {
            // Not known current here (first beat after a restart, say): the store fences it, with
            // the next batch, and caches the lease when it is current.
            let report = ProgressReport(lease: lease, counters: counters, checkpoint: checkpoint, time: now)
            let result = try await progress.write(report).get()
            _ = heartbeats.received(jobID: lease.jobID, at: now)  // Written just now, whatever it says.
            return result.cancelRequested
        }
        switch heartbeats.received(jobID: lease.jobID, at: now) {
        case .now:
            progress.submit(lease: lease, counters: counters, checkpoint: checkpoint, time: now)
        case .at(let due):
            progress.submit(lease: lease, counters: counters, checkpoint: checkpoint, time: now, after: due - now)
        }
        return cancelRequested
    }
}
