/// One failed attempt at a provider request, as ``RetryPolicy`` judges it: how it failed, and
/// the error to report if it is not tried again.
public struct HTTPAttemptFailure: Error, Sendable {
    /// How an attempt failed.
    public enum Kind: Sendable, Equatable {
        /// No response: the connection could not be made, broke, or timed out.
        case connection
        /// The server answered with an error status and, when its body said, its own error code.
        case status(Int, serviceCode: String?)
    }

    /// How the attempt failed.
    public var kind: Kind
    /// What to report when no attempt is left: names the object and the server's answer.
    public var error: ProviderError

    /// Creates a failure.
    public init(kind: Kind, error: ProviderError) {
        self.kind = kind
        self.error = error
    }
}
