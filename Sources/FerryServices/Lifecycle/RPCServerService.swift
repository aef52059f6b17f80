public import FerryRPC
import Logging
public import ServiceLifecycle

/// Runs an ``RPCServer`` as a lifecycle service: on graceful shutdown it stops accepting, ends
/// streams of requests at once, lets the other in-flight calls finish within the transport's
/// grace period, and then returns.
public struct RPCServerService: Service {
    private let server: RPCServer
    private let onShutdown: @Sendable () -> Void

    /// Wraps a server.
    ///
    /// - Parameters:
    ///   - server: The server to run.
    ///   - onShutdown: Called when graceful shutdown begins, before the server stops accepting
    ///     (for example to mark health `NOT_SERVING`).
    public init(server: RPCServer, onShutdown: @escaping @Sendable () -> Void = {}) {
        self.server = server
        self.onShutdown = onShutdown
    }

    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await server.serve()
        } onGracefulShutdown: {
            onShutdown()
            server.beginGracefulShutdown()
        }
    }
}
