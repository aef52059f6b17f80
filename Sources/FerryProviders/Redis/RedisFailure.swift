/// The ``ProviderError``s of Redis commands: each names its subject (a key, or the database
/// for a listing), the command, the server, and the server's own error code when it answered.
enum RedisFailure {
    /// The server refused a command with an error reply.
    ///
    /// - Parameters:
    ///   - command: The command's name (never its arguments).
    ///   - subject: The key or database concerned.
    ///   - endpoint: The server.
    ///   - refusal: The server's error reply.
    static func refused(
        _ command: String, subject: String, endpoint: RedisEndpoint, _ refusal: RedisServerError
    ) -> ProviderError {
        ProviderError(subject: subject, message: "\(command) on \(endpoint) refused: \(refusal.message)", code: refusal.code)
    }

    /// A command got no reply: the connection failed, timed out, or the reply broke a limit.
    static func failed(_ command: String, subject: String, endpoint: RedisEndpoint, _ error: any Error) -> ProviderError {
        if let error = error as? ProviderError { return error }
        return ProviderError(subject: subject, message: "\(command) on \(endpoint) failed: \(RedisConnection.describe(error))")
    }

    /// The server answered with a reply of the wrong shape for the command.
    static func unexpected(_ command: String, subject: String, endpoint: RedisEndpoint, _ reply: RESPValue) -> ProviderError {
        ProviderError(subject: subject, message: "\(command) on \(endpoint) answered with \(reply.kind)")
    }
}
