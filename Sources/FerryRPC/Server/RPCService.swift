/// A group of methods that registers itself with a router.
public protocol RPCService: Sendable {
    /// Registers this service's methods.
    ///
    /// - Parameter router: The router to register with.
    func registerMethods(with router: inout RPCRouter)
}
