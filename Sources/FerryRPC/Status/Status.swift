/// The outcome of an RPC: a code with gRPC's numbering and meaning, and a message.
///
/// `Status` is what travels in TRAILERS; ``RPCError`` is the thrown form of a non-OK status.
public struct Status: Sendable, Hashable, CustomStringConvertible {
    /// The status code.
    public var code: Code
    /// A human-readable message; empty for `.ok`.
    public var message: String

    /// Creates a status.
    ///
    /// - Parameters:
    ///   - code: The status code.
    ///   - message: A human-readable message.
    public init(code: Code, message: String = "") {
        self.code = code
        self.message = message
    }

    /// The status of a call that succeeded.
    public static let ok = Status(code: .ok)

    public var description: String {
        message.isEmpty ? "\(code)" : "\(code): \(message)"
    }
}

extension Status {
    /// A status code. The raw values are gRPC's, so that the numbers mean the same on the wire.
    ///
    /// A struct rather than an enum so that an unknown code from a newer peer is carried as is.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        /// The wire value.
        public let rawValue: UInt32

        /// Creates a code from its wire value; values above 16 become `.unknown`.
        ///
        /// - Parameter rawValue: The wire value.
        public init(rawValue: UInt32) {
            self.rawValue = rawValue <= 16 ? rawValue : 2
        }

        /// Not an error; returned on success.
        public static let ok = Code(rawValue: 0)
        /// The operation was cancelled, typically by the caller.
        public static let cancelled = Code(rawValue: 1)
        /// An error with no better code.
        public static let unknown = Code(rawValue: 2)
        /// The client sent an invalid argument.
        public static let invalidArgument = Code(rawValue: 3)
        /// The deadline expired before the operation could complete.
        public static let deadlineExceeded = Code(rawValue: 4)
        /// Some requested entity was not found.
        public static let notFound = Code(rawValue: 5)
        /// The entity that a client attempted to create already exists.
        public static let alreadyExists = Code(rawValue: 6)
        /// The caller does not have permission to execute the operation.
        public static let permissionDenied = Code(rawValue: 7)
        /// Some resource has been exhausted (a size limit, a quota, a stream limit).
        public static let resourceExhausted = Code(rawValue: 8)
        /// The system is not in a state required for the operation.
        public static let failedPrecondition = Code(rawValue: 9)
        /// The operation was aborted, typically by a concurrency conflict or a stale lease.
        public static let aborted = Code(rawValue: 10)
        /// The operation was attempted past the valid range.
        public static let outOfRange = Code(rawValue: 11)
        /// The operation is not implemented or not supported.
        public static let unimplemented = Code(rawValue: 12)
        /// An internal invariant was broken.
        public static let `internal` = Code(rawValue: 13)
        /// The service is currently unavailable; retrying with backoff may succeed.
        public static let unavailable = Code(rawValue: 14)
        /// Unrecoverable data loss or corruption.
        public static let dataLoss = Code(rawValue: 15)
        /// The request does not have valid authentication credentials.
        public static let unauthenticated = Code(rawValue: 16)

        private static let names = [
            "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
            "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",
            "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
        ]

        /// The code's canonical upper-case name, as gRPC spells it.
        public var description: String { Self.names[Int(rawValue)] }
    }
}
