public import FerryRPC
import Logging

/// Authenticates every call and checks its role against an ``AccessPolicy``.
///
/// A bearer token in `authorization` wins over a client certificate; an invalid token fails the
/// call even if a certificate was presented. Unauthenticated → `UNAUTHENTICATED`; a role the
/// method does not allow → `PERMISSION_DENIED`. The caller is then available to handlers as
/// ``Principal/current``. Every refused call gets a line in the ``AuditLog``, when given one.
public struct AuthInterceptor: ServerInterceptor {
    private let tokens: BearerTokenRegistry
    private let policy: AccessPolicy
    private let audit: AuditLog?

    /// Creates the interceptor.
    ///
    /// - Parameters:
    ///   - tokens: Valid bearer tokens.
    ///   - policy: Who may call what.
    ///   - audit: Where refused calls are recorded; `nil` for nowhere.
    public init(tokens: BearerTokenRegistry, policy: AccessPolicy, audit: AuditLog? = nil) {
        self.tokens = tokens
        self.policy = policy
        self.audit = audit
    }

    public func intercept(context: ServerContext, next: @Sendable (ServerContext) async throws -> Void) async throws {
        if policy.isOpen(context.descriptor) {
            try await next(context)
            return
        }
        let principal: Principal
        do {
            principal = try authenticate(context)
        } catch let error as RPCError {
            refused(context, who: context.peer.certificateSubject ?? context.peer.address, error)
            throw error
        }
        guard policy.allows(principal.role, context.descriptor) else {
            let error = RPCError(
                code: .permissionDenied,
                message: "Role '\(principal.role)' may not call \(context.descriptor)"
            )
            refused(context, who: "\(principal)", error)
            throw error
        }
        try await Principal.$current.withValue(principal) {
            try await next(context)
        }
    }

    private func refused(_ context: ServerContext, who: String, _ error: RPCError) {
        audit?.record(
            method: context.descriptor, who: who, subject: ["peer": "\(context.peer.address)"], code: error.code,
            message: error.message)
    }

    private func authenticate(_ context: ServerContext) throws -> Principal {
        if let header = context.metadata["authorization"] {
            let prefix = "Bearer "
            guard header.hasPrefix(prefix), let principal = tokens.principal(forToken: String(header.dropFirst(prefix.count)))
            else {
                throw RPCError(code: .unauthenticated, message: "The bearer token is not valid")
            }
            return principal
        }
        if let principal = Principal.fromCertificate(context.peer) {
            return principal
        }
        throw RPCError(
            code: .unauthenticated,
            message: "Authenticate with a bearer token or a client certificate issued by the server's CA"
        )
    }
}
