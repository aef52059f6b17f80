/// An error that ends an RPC with a non-OK status.
///
/// Handlers throw it to choose the status a client sees; clients receive it when a call fails.
/// Any other error thrown by a handler reaches the client as `INTERNAL` with a neutral message,
/// so internal details never leak to a peer. The optional `cause` keeps those details for logs.
public struct RPCError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The status code; never `.ok`.
    public var code: Code
    /// A message for the peer. Keep secrets and internal details out of it.
    public var message: String
    /// Trailing metadata sent with the error.
    public var metadata: Metadata
    /// The underlying error, for logs only; it is never sent to a peer.
    public var cause: (any Error)?

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: The status code.
    ///   - message: A message for the peer.
    ///   - metadata: Trailing metadata to send.
    ///   - cause: The underlying error, kept for logs.
    public init(code: Code, message: String, metadata: Metadata = [:], cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.metadata = metadata
        self.cause = cause
    }

    /// Creates an error from a non-OK status.
    ///
    /// - Parameters:
    ///   - status: The status; `.ok` becomes `.unknown`, since success is not an error.
    ///   - metadata: Trailing metadata received with it.
    public init(status: Status, metadata: Metadata = [:]) {
        let code = status.code == .ok ? Code.unknown : status.code
        self.init(code: code, message: status.message, metadata: metadata)
    }

    /// The status this error puts in TRAILERS.
    public var status: Status { Status(code: code, message: message) }

    public var description: String { "\(code): \(message)" }

    public var debugDescription: String {
        guard let cause else { return description }
        return "\(description) (cause: \(String(reflecting: cause)))"
    }
}

extension RPCError {
    /// The code of an ``RPCError``: a ``Status/Code`` other than `.ok`.
    public typealias Code = Status.Code

    /// Maps any error to the status a peer may see.
    ///
    /// - Parameter error: An error thrown by a handler or the runtime.
    /// - Returns: The error itself if it is an ``RPCError``, `CANCELLED` for task cancellation,
    ///   and otherwise `INTERNAL` with a neutral message and the error as its cause.
    public static func from(_ error: any Error) -> RPCError {
        switch error {
        case let error as RPCError:
            return error
        case is CancellationError:
            return RPCError(code: .cancelled, message: "The call was cancelled", cause: error)
        default:
            return RPCError(code: .internal, message: "Internal error", cause: error)
        }
    }
}
