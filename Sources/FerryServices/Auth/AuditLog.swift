import FerryRPC
public import Logging

/// One log line per admin action and per refused call: who, which method, which storage (or
/// job, or project), and the outcome. Lines are at `notice`, say `audit`, and carry
/// `audit=true`, so a log pipeline can route them. Never a secret: subjects are ids, and an
/// outcome is the status code and the message the caller was sent.
public struct AuditLog: Sendable {
    let logger: Logger

    /// Creates an audit log writing to `logger`.
    public init(logger: Logger) {
        self.logger = logger
    }

    /// Writes one line.
    ///
    /// - Parameters:
    ///   - method: The method called.
    ///   - who: The caller: a principal (`admin:ops`, `worker:worker-1`) or, when it could not be
    ///     identified, its address.
    ///   - subject: The ids the call was about.
    ///   - code: The outcome.
    ///   - message: The status message, for an outcome other than OK.
    func record(method: MethodDescriptor, who: String, subject: Logger.Metadata, code: Status.Code, message: String) {
        var metadata = subject
        metadata["audit"] = "true"
        metadata["who"] = "\(who)"
        metadata["method"] = "\(method.path)"
        metadata["outcome"] = "\(code.description)"
        if code != .ok { metadata["reason"] = "\(message)" }
        logger.notice("audit", metadata: metadata)
    }

    /// Runs an admin action and writes its line, whatever the outcome; store errors are
    /// translated to the status the caller gets first, so the line shows that status.
    ///
    /// - Parameters:
    ///   - method: The method.
    ///   - subject: The ids of the request (and of the response, when the action succeeded).
    ///   - handler: The action.
    /// - Returns: The handler, audited.
    func audited<Request: Sendable, Response: Sendable>(
        _ method: MethodDescriptor,
        subject: @escaping @Sendable (Request, Response?) -> Logger.Metadata,
        _ handler: @escaping @Sendable (Request, ServerContext) async throws -> Response
    ) -> @Sendable (Request, ServerContext) async throws -> Response {
        { request, context in
            let who = Principal.current.map { "\($0)" } ?? context.peer.address
            do {
                let response = try await RPCError.translatingStoreErrors { try await handler(request, context) }
                record(method: method, who: who, subject: subject(request, response), code: .ok, message: "")
                return response
            } catch {
                let failure = RPCError.from(error)
                record(method: method, who: who, subject: subject(request, nil), code: failure.status.code, message: failure.status.message)
                throw failure
            }
        }
    }
}
