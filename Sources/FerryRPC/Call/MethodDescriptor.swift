/// Names one RPC method: the fully-qualified service and the method.
///
/// On the wire the path is `"<service>/<method>"`, for example `ferry.v1.Health/Check`.
public struct MethodDescriptor: Sendable, Hashable, CustomStringConvertible {
    /// The fully-qualified service name, for example `ferry.v1.Health`.
    public var service: String
    /// The method name, for example `Check`.
    public var method: String

    /// Creates a descriptor.
    ///
    /// - Parameters:
    ///   - service: The fully-qualified service name.
    ///   - method: The method name.
    public init(service: String, method: String) {
        self.service = service
        self.method = method
    }

    /// Parses a wire path `"<service>/<method>"`.
    ///
    /// - Parameter path: The path from REQUEST_HEADERS.
    /// - Returns: The descriptor, or `nil` when the path is not of that shape.
    public init?(path: String) {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        self.init(service: String(parts[0]), method: String(parts[1]))
    }

    /// The wire path, `"<service>/<method>"`.
    public var path: String { "\(service)/\(method)" }

    public var description: String { path }
}
