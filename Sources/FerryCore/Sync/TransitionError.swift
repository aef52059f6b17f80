/// A status-machine event that is not allowed in the current state.
///
/// Most codes are expected outcomes a server answers calmly, not faults: ``Code/alreadyRunning``
/// is the single-flight answer (it names the running job), and ``Code/notActive`` after a verdict
/// means someone else settled the sync first.
public struct TransitionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of refusal this is. Extensible: switch with a `default`.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: String {
            case alreadyRunning, notQueued, notInProgress, notActive, jobMismatch, invalidArgument
        }

        private let value: Value

        /// StartSync while a sync is queued or in progress; ``TransitionError/runningJobID`` names
        /// the job that is already there (single flight).
        public static let alreadyRunning = Code(value: .alreadyRunning)
        /// A claim for a sync that is not `queued`.
        public static let notQueued = Code(value: .notQueued)
        /// Progress or a terminal outcome for a sync that is not `inProgress`.
        public static let notInProgress = Code(value: .notInProgress)
        /// A cancel request or a verdict for a sync that is neither `queued` nor `inProgress`.
        public static let notActive = Code(value: .notActive)
        /// The event names a job other than the storage's current one (a zombie, or a verdict
        /// computed for an earlier sync).
        public static let jobMismatch = Code(value: .jobMismatch)
        /// An argument is malformed: an empty job or worker id, a negative counter.
        public static let invalidArgument = Code(value: .invalidArgument)

        public var description: String { self.value.rawValue }
    }

    /// What kind of refusal this is.
    public var code: Code
    /// A readable explanation, safe to return to a client.
    public var message: String
    /// The status the sync was in when the event was refused.
    public var status: SyncStatus
    /// The storage's current job, if any; for ``Code/alreadyRunning``, the job to report.
    public var runningJobID: String?

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: What kind of refusal this is.
    ///   - message: A readable explanation.
    ///   - status: The status at the time.
    ///   - runningJobID: The storage's current job, if any.
    public init(code: Code, message: String, status: SyncStatus, runningJobID: String? = nil) {
        self.code = code
        self.message = message
        self.status = status
        self.runningJobID = runningJobID
    }

    public var description: String {
        "TransitionError(\(self.code), status: \(self.status)): \(self.message)"
    }
}
