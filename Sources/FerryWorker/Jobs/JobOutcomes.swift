import FerryProviders
import FerryCore
public import FerryProto
import FerryRPC

/// The terminal outcome a job reports, from how its sync loop ended and why it was stopped.
public enum JobOutcomes {
    /// Decides the outcome.
    ///
    /// - Parameters:
    ///   - error: What the sync loop threw; `nil` if it finished.
    ///   - stopReason: Why the job was stopped, if it was.
    ///   - counters: The final progress.
    ///   - itemErrors: The first failed items.
    ///   - workerID: The worker's id, for the shutdown traceback.
    /// - Returns: The outcome, or `nil` when the lease is gone and nothing may be reported.
    public static func outcome(
        error: (any Error)?,
        stopReason: JobControl.StopReason?,
        counters: FerryV1.SyncCounters,
        itemErrors: [FerryV1.ItemError],
        workerID: String
    ) -> FerryV1.JobOutcome? {
        if case .leaseLost = stopReason { return nil }
        if let rpc = error as? RPCError, rpc.isLeaseRejection { return nil }
        // A loop that finished reports what it did, even if a stop came at the last moment.
        switch error == nil ? nil : stopReason {
        case .leaseLost, nil:
            break
        case .cancelRequested:
            return FerryV1.JobOutcome(result: .cancelled, traceback: "Cancelled on request; the worker stopped.")
        case .shuttingDown:
            return FerryV1.JobOutcome(
                result: .failed,
                traceback: """
                    Worker shutting down: worker \(workerID) received SIGTERM and stopped this job \
                    after \(counters.synced) tasks. Start the sync again; tasks already created are not \
                    duplicated.
                    """
            )
        }
        if let error {
            return FerryV1.JobOutcome(result: .failed, traceback: traceback(for: error))
        }
        guard counters.failedValidation == 0 else {
            let listed = itemErrors.map { "  \($0.key) row \($0.rowIndex): \($0.message)" }
            let more = counters.failedValidation > Int64(itemErrors.count) ? ["  …"] : []
            return FerryV1.JobOutcome(
                result: .completedWithErrors,
                traceback: (["\(counters.failedValidation) tasks failed validation and were skipped:"] + listed + more)
                    .joined(separator: "\n"),
                itemErrors: itemErrors
            )
        }
        return FerryV1.JobOutcome(result: .completed)
    }

    private static func traceback(for error: any Error) -> String {
        switch error {
        case let error as TaskFileError:
            return "Task file is not valid task JSON: \(error.key), line \(error.line): \(error.message)"
        case let error as ProviderError:
            return "Cannot read the storage: \(error)"
        case let error as ValidationError:
            return "Invalid storage settings: \(error)"
        case let error as RPCError:
            return "The server refused a call: \(error)"
        default:
            return "The sync failed: \(error)"
        }
    }
}
