/// How a worker says its job ended: the terminal heartbeat's `JobOutcome`.
public enum SyncOutcome: Sendable, Hashable {
    /// Every item was synced.
    case completed
    /// The sync finished but some items failed validation.
    ///
    /// `failedItems` are the first failures the worker reports (it may bound the list); the
    /// total count comes from ``SyncCounters/failedValidation`` when that is larger.
    case completedWithErrors(failedItems: [SyncItemError])
    /// The sync failed; `traceback` says why, readably.
    case failed(traceback: String)
    /// The worker stopped after a cancel request and confirms it.
    case cancelled
}
