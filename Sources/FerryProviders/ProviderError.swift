/// A storage location cannot be listed, or an object cannot be read, written or deleted.
///
/// The description names the subject (a key, a bucket, a path) and, for a remote provider, the
/// server's own error code and message, so that a sync's traceback tells the operator what the
/// provider said.
public struct ProviderError: Error, Sendable, CustomStringConvertible {
    /// The key, bucket or path concerned.
    public var subject: String
    /// What went wrong.
    public var message: String
    /// The provider's error code (`AccessDenied`, `NoSuchBucket`, `WRONGPASS`, an HTTP status),
    /// when a server answered.
    public var code: String?

    /// Creates an error.
    public init(subject: String, message: String, code: String? = nil) {
        self.subject = subject
        self.message = message
        self.code = code
    }

    public var description: String {
        if let code { return "\(subject): \(message) (\(code))" }
        return "\(subject): \(message)"
    }
}
