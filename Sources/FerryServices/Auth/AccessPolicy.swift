public import FerryRPC

/// Which roles may call which methods. A method that is not listed is refused, so a new method
/// is closed until someone decides who may call it.
public struct AccessPolicy: Sendable {
    private var services: [String: Set<Role>] = [:]
    private var methods: [MethodDescriptor: Set<Role>] = [:]
    private var open: Set<String> = []

    /// A policy that allows nothing.
    public init() {}

    /// Lets anyone, even unauthenticated, call every method of a service (for health checks).
    ///
    /// - Parameter service: The full service name.
    public mutating func allowUnauthenticated(service: String) {
        open.insert(service)
    }

    /// Lets roles call every method of a service.
    ///
    /// - Parameters:
    ///   - roles: The roles.
    ///   - service: The full service name.
    public mutating func allow(_ roles: Set<Role>, service: String) {
        services[service, default: []].formUnion(roles)
    }

    /// Lets roles call one method; this replaces the service-wide rule for it.
    ///
    /// - Parameters:
    ///   - roles: The roles.
    ///   - method: The method.
    public mutating func allow(_ roles: Set<Role>, method: MethodDescriptor) {
        methods[method, default: []].formUnion(roles)
    }

    /// Whether a method needs no authentication.
    ///
    /// - Parameter method: The method.
    /// - Returns: `true` for open services.
    public func isOpen(_ method: MethodDescriptor) -> Bool {
        open.contains(method.service)
    }

    /// Whether a role may call a method.
    ///
    /// - Parameters:
    ///   - role: The caller's role.
    ///   - method: The method.
    /// - Returns: `true` if allowed.
    public func allows(_ role: Role, _ method: MethodDescriptor) -> Bool {
        if let roles = methods[method] { return roles.contains(role) }
        return services[method.service]?.contains(role) ?? false
    }
}
