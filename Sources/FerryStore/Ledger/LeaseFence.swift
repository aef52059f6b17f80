import FerryCore

/// Decides whether a lease may write, from its job's row: pure, so both stores fence alike.
enum LeaseFence {
    /// The lease's state and, when active, its job.
    ///
    /// - Parameters:
    ///   - lease: The lease presented.
    ///   - row: Its job's row; `nil` when the job is not in the queue.
    /// - Returns: ``LeaseState/unknown`` for a missing job or a token that is not the job's,
    ///   ``LeaseState/settled(_:)`` for a job no longer running, otherwise ``LeaseState/active``
    ///   with the job.
    /// - Throws: ``StoreError/Code/notLeaseHolder`` when the right token is presented by a worker
    ///   process other than the claimant.
    static func evaluate(_ lease: JobLease, row: JobLeaseRow?) throws -> (state: LeaseState, job: FencedJob?) {
        guard let row, let token = row.leaseToken, tokensMatch(token, lease.token) else {
            return (.unknown, nil)
        }
        guard row.state == .running else { return (.settled(row.state), nil) }
        guard row.workerID == lease.workerID, row.instanceID == lease.instanceID else {
            throw StoreError(
                code: .notLeaseHolder,
                message: "Job \(lease.jobID) is held by another worker process; worker '\(lease.workerID)' "
                    + "(instance \(lease.instanceID)) may not use its lease."
            )
        }
        let job = FencedJob(
            storageID: row.storageID,
            kind: row.kind,
            cancelRequestedAt: row.cancelRequestedAt,
            cancelReason: row.cancelReason
        )
        return (.active, job)
    }

    /// The job behind an active lease.
    ///
    /// - Throws: ``StoreError/Code/leaseNotCurrent`` unless the lease is active;
    ///   ``StoreError/Code/notLeaseHolder`` as ``evaluate(_:row:)``.
    static func require(_ lease: JobLease, row: JobLeaseRow?) throws -> FencedJob {
        let (state, job) = try evaluate(lease, row: row)
        guard case .active = state, let job else {
            throw StoreError(
                code: .leaseNotCurrent,
                message: "The lease on job \(lease.jobID) is not current (\(state)); the worker must stop the job."
            )
        }
        return job
    }

    /// Compares tokens in time independent of where they first differ.
    static func tokensMatch(_ stored: String, _ presented: String) -> Bool {
        let lhs = Array(stored.utf8)
        let rhs = Array(presented.utf8)
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices {
            difference |= lhs[index] ^ rhs[index]
        }
        return difference == 0
    }
}
