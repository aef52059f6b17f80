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

    /// Polls until something accepts a connection on `port`.
    ///
    /// - Parameters:
    ///   - port: The port.
    ///   - timeout: How long to keep trying.
    ///   - alive: Checked before each try; polling stops when it says the server is gone.
    /// - Returns: `true` once a connection was accepted; `false` after `timeout` or when `alive` says no.
    public static func waitForListener(port: Int, timeout: Duration, alive: () -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline, alive() {
            if let channel = try? await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(1))
                .connect(host: "127.0.0.1", port: port).get()
            {
                try? await channel.close()
                return true
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }
}
