/// Runs before a server handler, to observe or reject calls (authentication, logging, metrics).
public protocol ServerInterceptor: Sendable {
    /// Whether this interceptor applies to a method; by default, to all.
    ///
    /// - Parameter method: The method being called.
    /// - Returns: `true` to intercept calls to it.
    func applies(to method: MethodDescriptor) -> Bool

    /// Intercepts one call.
    ///
    /// - Parameters:
    ///   - context: The call's context.
    ///   - next: Runs the rest of the chain and the handler; call it at most once.
    /// - Throws: An ``RPCError`` to reject the call with that status.
    func intercept(context: ServerContext, next: @Sendable (ServerContext) async throws -> Void) async throws
}

extension ServerInterceptor {
    /// Applies to every method.
    public func applies(to method: MethodDescriptor) -> Bool { true }
}
