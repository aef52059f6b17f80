import FerryCore

/// What a batch of progress writes needs of one write transaction: rows read and written a set
/// at a time, so a batch costs a handful of statements however many jobs it carries.
protocol ProgressBatchRows {
    /// The fencing columns of each job that exists, by job id.
    func leaseRows(jobIDs: [String]) async throws -> [String: JobLeaseRow]
    /// The sync state of each storage that exists, by storage id.
    func syncStates(storageIDs: [Int64]) async throws -> [Int64: StorageSyncState]
    /// Writes each storage's new sync state over the one read (`before`), which a store may use
    /// to write only what changed.
    func writeSyncInfos(_ changes: [(storageID: Int64, before: SyncInfo, after: SyncInfo)]) async throws
    /// Stamps each job's `last_progress_at`.
    func recordJobProgress(_ times: [(jobID: String, time: FerryTime)]) async throws
    /// Writes a job's checkpoint; `nil` keeps the stored one.
    func writeCheckpoint(_ checkpoint: SyncCheckpoint?, jobID: String, now: FerryTime) async throws
}

extension SyncLedger {
    /// Fenced heartbeats, several at once; see ``FerryStore/recordProgress(_:)``. Each report is
    /// fenced and stepped through the status machine exactly as a single one is
    /// (``recordProgress(lease:counters:checkpoint:now:in:)``); the refused ones write nothing.
    static func recordProgress(
        _ reports: [ProgressReport],
        in rows: some ProgressBatchRows
    ) async throws -> [Result<ProgressResult, StoreError>] {
        let leaseRows = try await rows.leaseRows(jobIDs: reports.map(\.lease.jobID))
        let fenced = reports.map { report in
            Result { () throws(StoreError) in try fence(report.lease, row: leaseRows[report.lease.jobID]) }
        }
        let storageIDs = Set(fenced.compactMap { try? $0.get().storageID })
        let read = try await rows.syncStates(storageIDs: Array(storageIDs))
        var states = read
        var stamps: [(jobID: String, time: FerryTime)] = []
        let results = zip(reports, fenced).map { report, job in
            job.flatMap { job -> Result<ProgressResult, StoreError> in
                guard let current = states[job.storageID] else {
                    return .failure(StoreError.notFound("Storage \(job.storageID) does not exist."))
                }
                return Result { () throws(StoreError) in
                    let next = try step(current.info) { machine throws(TransitionError) in
                        try machine.recordProgress(jobID: report.lease.jobID, counters: report.counters, now: report.time)
                    }
                    states[job.storageID]?.info = next
                    stamps.append((report.lease.jobID, report.time))
                    let cancelRequested = job.cancelRequestedAt != nil || next.meta.timeCancelRequested != nil
                    return ProgressResult(syncInfo: next, cancelRequested: cancelRequested)
                }
            }
        }
        try await rows.writeSyncInfos(
            states.compactMap { id, state in
                guard let before = read[id]?.info, before != state.info else { return nil }
                return (id, before, state.info)
            })
        try await rows.recordJobProgress(stamps)
        for (report, result) in zip(reports, results) where report.checkpoint != nil {
            guard case .success = result else { continue }
            try await rows.writeCheckpoint(report.checkpoint, jobID: report.lease.jobID, now: report.time)
        }
        return results
    }

    /// ``LeaseFence/require(_:row:)`` with its error typed.
    private static func fence(_ lease: JobLease, row: JobLeaseRow?) throws(StoreError) -> FencedJob {
        do {
            return try LeaseFence.require(lease, row: row)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(code: .io, message: "Fencing job \(lease.jobID) failed: \(error)")
        }
    }
}
