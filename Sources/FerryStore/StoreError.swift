/// An error from a ``FerryStore``.
///
/// Codes are an extensible struct, not an enum, so a store can gain codes without breaking
/// callers: switch on ``code`` with a `default`. ``message`` is written for operators and logs; it
/// never contains secret values, but it may name storages, jobs and file paths, so a server maps a
/// store error to a neutral client-facing status rather than echoing it (``Code/corrupt`` and
/// ``Code/io`` in particular become `INTERNAL`).
public struct StoreError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What kind of failure this is. Extensible: switch with a `default`.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: String {
            case notFound, conflict, failedPrecondition, leaseNotCurrent, notLeaseHolder, invalidArgument
            case unsupportedSchema, corrupt, io, unavailable, closed
        }

        private let value: Value

        /// The storage, job or worker does not exist.
        public static let notFound = Code(value: .notFound)
        /// An optimistic-concurrency check failed (the storage is not at the expected revision),
        /// or a unique value (a job id) is already taken.
        public static let conflict = Code(value: .conflict)
        /// The request is well-formed but the current state refuses it: deleting a storage whose
        /// sync is active without `force`, a status-machine transition that is not allowed (the
        /// ``StoreError/cause`` is then FerryCore's `TransitionError`), a claim by a superseded
        /// worker instance.
        public static let failedPrecondition = Code(value: .failedPrecondition)
        /// A worker write carried a lease that is no longer current: the job is settled (completed,
        /// failed by detection, cancelled, lost), was deleted, or the token never belonged to it.
        /// Nothing was written. The worker must stop that job.
        public static let leaseNotCurrent = Code(value: .leaseNotCurrent)
        /// A worker write carried a current lease that another worker process holds: the caller's
        /// worker id or instance is not the claimant's. Nothing was written; the job goes on.
        public static let notLeaseHolder = Code(value: .notLeaseHolder)
        /// An argument cannot be stored: an immutable field changed, a malformed page cursor, a
        /// verdict that does not settle the sync.
        public static let invalidArgument = Code(value: .invalidArgument)
        /// The database was written by a newer build (its schema version is unknown to this one).
        public static let unsupportedSchema = Code(value: .unsupportedSchema)
        /// A stored value cannot be decoded, or sealed secrets fail to open.
        public static let corrupt = Code(value: .corrupt)
        /// The database failed: I/O, disk full, busy past the timeout, or another SQLite or PostgreSQL
        /// error.
        public static let io = Code(value: .io)
        /// The database server cannot be reached or dropped the connection (refused, reset, timed
        /// out, shutting down), or ended the transaction to break a deadlock or a serialization
        /// conflict. Nothing was committed unless the connection was lost during the commit
        /// itself; the operation may be retried.
        public static let unavailable = Code(value: .unavailable)
        /// The store was closed.
        public static let closed = Code(value: .closed)

        /// The code's name, e.g. `leaseNotCurrent`.
        public var description: String { self.value.rawValue }
    }

    /// What kind of failure this is.
    public var code: Code
    /// A readable explanation for logs and operators; never contains secret values.
    public var message: String
    /// The underlying error, if any (an `SQLiteError`, a `PSQLError`, a `TransitionError`, a
    /// `DecodingError`).
    public var cause: (any Error)?

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: What kind of failure this is.
    ///   - message: A readable explanation; must not contain secret values.
    ///   - cause: The underlying error, if any.
    public init(code: Code, message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// `code: message`.
    public var description: String {
        "\(self.code): \(self.message)"
    }

    /// `code: message (cause: …)`, for logs.
    public var debugDescription: String {
        guard let cause = self.cause else { return self.description }
        return "\(self.description) (cause: \(String(reflecting: cause)))"
    }
}

extension StoreError {
    static func notFound(_ message: String) -> StoreError {
        StoreError(code: .notFound, message: message)
    }

    static func invalidArgument(_ message: String) -> StoreError {
        StoreError(code: .invalidArgument, message: message)
    }

    static func corrupt(_ message: String, cause: (any Error)? = nil) -> StoreError {
        StoreError(code: .corrupt, message: message, cause: cause)
    }
}
