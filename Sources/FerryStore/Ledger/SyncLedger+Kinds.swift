import FerryCore

extension SyncLedger {
    /// ``fence(_:in:)`` for a write only a job of one kind may make (tasks for an import, the
    /// catalogue for a dataset sync, export links for an export).
    ///
    /// - Throws: As ``fence(_:in:)``; ``StoreError/Code/invalidArgument`` for a job of another kind.
    static func fence(_ lease: JobLease, kind: StorageKind, in rows: some LeaseRows) async throws -> FencedJob {
        let job = try await fence(lease, in: rows)
        guard job.kind == kind else {
            let what: String
            switch kind {
            case .import: what = "; only import jobs make tasks."
            case .dataset: what = "; only dataset jobs catalogue objects."
            case .export: what = ", not an export."
            }
            throw StoreError.invalidArgument("Job \(lease.jobID) is a \(job.kind) job\(what)")
        }
        return job
    }
}
