@testable import FerryCore

/// Shared instants and sync states for the tests.
enum Fixture {
    /// 2024-05-01T12:00:00Z.
    static let t0 = FerryTime(unixMicroseconds: 1_714_564_800_000_000)

    /// A queued sync of job `job-1`, queued at `t0`.
    static func queued(at time: FerryTime = t0, job: String = "job-1") -> SyncInfo {
        try! SyncStatusMachine(.initial).startSync(jobID: job, now: time)
    }

    /// An in-progress sync of job `job-1` claimed by `worker-a`/`inst-1` at `claimedAt`.
    static func inProgress(queuedAt: FerryTime = t0, claimedAt: FerryTime = t0, job: String = "job-1") -> SyncInfo {
        try! SyncStatusMachine(queued(at: queuedAt, job: job))
            .claim(jobID: job, workerID: "worker-a", instanceID: "inst-1", now: claimedAt)
    }

    /// A sync in the given status, reached through the machine.
    static func info(_ status: SyncStatus, job: String = "job-1") -> SyncInfo {
        switch status {
        case .initialized: return .initial
        case .queued: return queued(job: job)
        case .inProgress: return inProgress(job: job)
        case .completed:
            return try! SyncStatusMachine(inProgress(job: job)).complete(jobID: job, outcome: .completed, now: t0)
        case .completedWithErrors:
            return try! SyncStatusMachine(inProgress(job: job))
                .complete(jobID: job, outcome: .completedWithErrors(failedItems: []), now: t0)
        case .failed:
            return try! SyncStatusMachine(inProgress(job: job))
                .complete(jobID: job, outcome: .failed(traceback: "boom"), now: t0)
        }
    }

    /// A running job `job-1` held by `worker-a`/`inst-1`.
    static func runningJob(
        id: String = "job-1",
        state: ObservedJob.State = .running,
        current: Bool = true,
        expiresAt: FerryTime? = nil,
        cancelRequestedAt: FerryTime? = nil
    ) -> JobObservation {
        .present(
            ObservedJob(
                jobID: id,
                state: state,
                lease: ObservedLease(
                    workerID: "worker-a",
                    instanceID: "inst-1",
                    holderIsCurrentInstance: current,
                    expiresAt: expiresAt
                ),
                cancelRequestedAt: cancelRequestedAt
            )
        )
    }

    /// A queued, unclaimed job `job-1`.
    static func queuedJob(id: String = "job-1", state: ObservedJob.State = .queued) -> JobObservation {
        .present(ObservedJob(jobID: id, state: state))
    }
}
