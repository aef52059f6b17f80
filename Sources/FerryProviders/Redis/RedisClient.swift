import FerryCore
import NIOCore
import NIOPosix

/// The one connection a ``RedisObjectStore`` talks through, opened on first use and opened
/// again when it has been lost.
///
/// One pipelined connection rather than a pool: Redis serves each connection's commands in
/// order on its single thread, so more connections would not make a worker's reads faster, while
/// pipelining (up to `ProviderContext.parallelism` GETs in flight) removes the round trips that
/// a pool would otherwise hide. The listing's `SCAN` and the reads of the previous page share
/// the connection; their commands simply interleave.
///
/// A batch that fails because the connection was lost (the server closed an idle connection, a
/// restart) is sent once more on a new connection: every command Ferry sends is idempotent.
/// Errors the server answered with, timeouts and refused logins are not retried.
actor RedisClient {
    private let endpoint: RedisEndpoint
    private let group: any EventLoopGroup
    private var connection: RedisConnection?
    private var connecting: Task<RedisConnection, any Error>?

    /// Creates a client; nothing connects until the first command.
    init(endpoint: RedisEndpoint, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.endpoint = endpoint
        self.group = group
    }

    /// Closes the connection when the store and its listers are gone. (A connect in progress
    /// keeps the client alive: the command that started it awaits it.)
    deinit {
        connection?.close()
    }

    /// Sends commands pipelined, and waits for their replies.
    ///
    /// - Parameter commands: The commands, in order.
    /// - Returns: Each command's reply or connection error.
    /// - Throws: ``ProviderError`` when no connection could be made or the login was refused.
    func send(_ commands: [RedisCommand]) async throws -> [Result<RESPValue, any Error>] {
        let current = try await activeConnection()
        let results = await current.send(commands)
        guard results.contains(where: Self.isConnectionLoss) else { return results }
        if connection === current { connection = nil }
        return try await activeConnection().send(commands)
    }

    /// Sends one command and waits for its reply.
    ///
    /// - Throws: ``ProviderError`` for a failed connection or login, or the connection's error.
    func send(_ command: RedisCommand) async throws -> RESPValue {
        try await send([command])[0].get()
    }

    private func activeConnection() async throws -> RedisConnection {
        if let connection, connection.isActive { return connection }
        if let connecting { return try await connecting.value }
        let task = Task { [endpoint, group] in try await RedisConnection.connect(to: endpoint, group: group) }
        connecting = task
        defer { connecting = nil }
        let opened = try await task.value
        connection = opened
        return opened
    }

    private static func isConnectionLoss(_ result: Result<RESPValue, any Error>) -> Bool {
        guard case .failure(let error) = result else { return false }
        if case RedisConnectionError.closed = error { return true }
        return error is IOError || error is ChannelError
    }
}
