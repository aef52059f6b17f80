/// Where a storage's sync stands (docs/CONTRACT.md §2.1).
///
/// `initialized → queued → inProgress → completed | completedWithErrors | failed`; starting a
/// sync moves any *settled* status back to `queued`. See ``SyncStatusMachine`` for every allowed
/// transition.
public enum SyncStatus: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// The storage has never been synced.
    case initialized
    /// A sync job waits for a worker.
    case queued
    /// A worker holds the job and sends heartbeats.
    case inProgress = "in_progress"
    /// The last sync finished and every item was synced.
    case completed
    /// The last sync finished but some items failed validation; the traceback lists them.
    case completedWithErrors = "completed_with_errors"
    /// The last sync failed, or ended without saying so; the traceback says why.
    case failed

    /// Whether a sync is queued or running: the statuses termination detection looks at and
    /// single-flight protects.
    public var isActive: Bool {
        self == .queued || self == .inProgress
    }

    /// Whether no sync is queued or running (`initialized` counts as settled): a sync can start.
    public var isSettled: Bool {
        !self.isActive
    }

    /// The snake_case name used in logs and the CLI (`in_progress`, ...).
    public var description: String { self.rawValue }

    /// The status in words, for messages people read (`in progress`, `completed with errors`).
    public var words: String {
        switch self {
        case .inProgress: "in progress"
        case .completedWithErrors: "completed with errors"
        default: self.rawValue
        }
    }
}
