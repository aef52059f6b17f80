import FerryCore
import FerryProto
import FerryRPC
import FerryStore

extension WorkerService {
    /// Runs a call that touches a job: the lease it carries, presented by the calling worker, is
    /// checked for silence first (``settleIfSilent(_:now:)``), and the call counts as open for the
    /// calling instance while it runs, so a second process under the same worker id is refused.
    ///
    /// - Parameters:
    ///   - proto: The request's lease.
    ///   - body: The call, given the lease with the caller's identity and the time it arrived.
    /// - Returns: What `body` returns.
    /// - Throws: `INVALID_ARGUMENT` for a missing lease, the store's refusals, or `body`'s errors.
    func withLease<Result>(
        _ proto: FerryV1.JobLease?,
        _ body: (JobLease, FerryTime) async throws -> Result
    ) async throws -> Result {
        let lease = try JobLease(proto, presentedBy: try callingWorker())
        return try await instances.withOpenCall(workerID: lease.workerID, instanceID: lease.instanceID) {
            let now = clock.now()
            try await settleIfSilent(lease, now: now)
            return try await body(lease, now)
        }
    }

    /// Applies termination detection to a job whose worker was silent for longer than
    /// stale-after before this call, so a worker that comes back (SIGCONT, a healed network)
    /// finds its job settled (`HEARTBEAT_TIMEOUT`) even if nobody listed the storage meanwhile.
    /// The call that follows is then fenced by the store.
    ///
    /// Costs nothing while the job's heartbeats arrive on time: only a job this process has not
    /// heard from within stale-after (or at all, after a restart) is looked up in the store.
    func settleIfSilent(_ lease: JobLease, now: FerryTime) async throws {
        if heartbeats.wasSilent(jobID: lease.jobID, before: now) == false { return }
        guard let job = try await store.job(id: lease.jobID) else { return }  // The store fences it.
        _ = try await enforcer.storage(id: job.storageID)
    }

    /// What a heartbeat reply says of a lease the store refused: `UNKNOWN` when the job does not
    /// exist or the token was never its current claim's, `EXPIRED` when the job failed because
    /// its heartbeats stopped (`HEARTBEAT_TIMEOUT`), `SETTLED` for every other ending.
    func refusedLeaseStatus(_ lease: JobLease) async -> FerryV1.LeaseStatus {
        guard case .settled? = try? await store.checkLease(lease) else { return .unknown }
        guard let job = try? await store.job(id: lease.jobID),
            let storage = try? await store.storage(id: job.storageID),
            storage.syncInfo.lastSyncJob == lease.jobID,
            storage.syncInfo.meta.terminationReason == .heartbeatTimeout
        else { return .settled }
        return .expired
    }
}
