import NIOCore
import NIOPosix

/// Ports on 127.0.0.1 for the servers tests start.
public enum LoopbackPort {
    /// A port nothing listens on right now (bound to 0, read back, closed).
    public static func free() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        defer { channel.close(promise: nil) }
        guard let port = channel.localAddress?.port else { throw IOError(errnoCode: 99, reason: "no local port") }
        return port
    }
}
