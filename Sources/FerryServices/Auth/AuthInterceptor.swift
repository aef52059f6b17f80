public import FerryRPC

/// Authenticates every call and checks its role against an ``AccessPolicy``.
///
/// A bearer token in `authorization` wins over a client certificate; an invalid token fails the
/// call even if a certificate was presented. Unauthenticated → `UNAUTHENTICATED`; a role the
/// method does not allow → `PERMISSION_DENIED`. The caller is then available to handlers as
/// ``Principal/current``.
public struct AuthInterceptor: ServerInterceptor {
    private let tokens: BearerTokenRegistry
    private let policy: AccessPolicy

    /// Creates the interceptor.
    ///
    /// - Parameters:
    ///   - tokens: Valid bearer tokens.
    ///   - policy: Who may call what.
    public init(tokens: BearerTokenRegistry, policy: AccessPolicy) {
        self.tokens = tokens
        self.policy = policy
    }

    public func intercept(context: ServerContext, next: @Sendable (ServerContext) async throws -> Void) async throws {
        if policy.isOpen(context.descriptor) {
            try await next(context)
            return
        }
        let principal = try authenticate(context)
        guard policy.allows(principal.role, context.descriptor) else {
            throw RPCError(
                code: .permissionDenied,
                message: "Role '\(principal.role)' may not call \(context.descriptor)"
            )
        }
        try await Principal.$current.withValue(principal) {
            try await next(context)
        }
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
