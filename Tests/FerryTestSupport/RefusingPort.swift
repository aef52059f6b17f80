#if canImport(Glibc)
import Glibc
#endif

/// A port on 127.0.0.1 that refuses every connection while `RefusingPort.with` runs its body.
///
/// A port merely found free (`LoopbackPort.free()`) can be taken a moment later by a server
/// another test starts, and then a "nobody listens here" test talks to that server instead. This
/// one keeps a TCP socket bound to the port without listening: the kernel answers each connection
/// attempt with a reset, and no other socket can bind the port until the body returns.
public final class RefusingPort: Sendable {
    /// Runs `body` with `count` ports that refuse connections until it returns.
    public static func with<T>(count: Int = 1, _ body: ([Int]) async throws -> T) async throws -> T {
        let ports = try (0..<count).map { _ in try RefusingPort() }
        defer { withExtendedLifetime(ports) {} }
        return try await body(ports.map(\.port))
    }

    private let port: Int
    private let descriptor: Int32

    private init() throws {
        let socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketDescriptor >= 0 else { throw RefusingPortError.system("socket", errno) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(socketDescriptor, generic, length) == 0 && getsockname(socketDescriptor, generic, &length) == 0
            }
        }
        guard bound else {
            let code = errno
            Glibc.close(socketDescriptor)
            throw RefusingPortError.system("bind", code)
        }
        descriptor = socketDescriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { Glibc.close(descriptor) }
}

/// Why a `RefusingPort` could not be made.
public enum RefusingPortError: Error, CustomStringConvertible {
    case system(String, Int32)

    public var description: String {
        switch self {
        case .system(let call, let code): "\(call) failed: \(String(cString: strerror(code)))"
        }
    }
}
