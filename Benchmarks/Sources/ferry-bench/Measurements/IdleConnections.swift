import FerryRPC
import FerryTransport

/// The server's memory cost of idle TLS connections: its RSS before and after `count` more
/// connections that completed the handshake and then send nothing, and after they closed.
struct IdleConnectionsResult: Sendable {
    /// Connections asked for.
    var requested: Int
    /// Connections that were open when RSS was read.
    var opened: Int
    /// Connections that failed to open.
    var failures: Int
    /// The first failure, for the report.
    var firstError: String?
    /// Server stats before the connections.
    var before: ServerStats
    /// Server stats with the connections open and settled.
    var after: ServerStats
    /// Whether RSS and the descriptor count stopped moving before the settle limit.
    var settled: Bool
    /// Server stats once the connections had closed and RSS settled again.
    var closed: ServerStats
    /// Whether RSS settled after the close before the settle limit.
    var closedSettled: Bool
    /// How long opening the connections took.
    var connectElapsed: Duration
    /// This process's RSS growth over the same connections (client side, for context).
    var clientBytesPerConnection: Double?

    /// Server RSS growth per connection.
    var bytesPerConnection: Double? {
        guard opened > 0 else { return nil }
        return (Double(after.residentBytes) - Double(before.residentBytes)) / Double(opened)
    }
}

/// Measures server RSS per idle TLS connection.
enum IdleConnections {
    /// Opens `count` connections, waits until the server's RSS settles, and reads it.
    ///
    /// - Parameters:
    ///   - target: A freshly started server, so freed memory of earlier phases is not reused.
    ///   - count: Idle connections to hold open.
    ///   - parallelism: Connects in flight at once.
    ///   - connectLimit: How long opening may take.
    ///   - settleLimit: How long to wait for RSS to settle.
    /// - Returns: The result.
    /// - Throws: When the control connection or its stats calls fail.
    static func measure(
        target: BenchTarget,
        count: Int,
        parallelism: Int,
        connectLimit: Duration,
        settleLimit: Duration
    ) async throws -> IdleConnectionsResult {
        let clock = ContinuousClock()
        let control = target.makeTransport(group: BenchTarget.measurementLoop)
        try await control.connect()
        let client = RPCClient(transport: control)

        // One-time costs (lazy globals, the first allocations of each event loop) are not per connection.
        let warmUp = await ConnectionPool.open(to: target, count: 32, parallelism: 8, deadline: clock.now + .seconds(30))
        await warmUp.close(deadline: clock.now + .seconds(30))
        let before = try await settle(client, openFiles: 0..., limit: .seconds(10)).stats
        let clientBefore = ProcFS.residentBytes()

        let pool = await ConnectionPool.open(
            to: target,
            count: count,
            parallelism: parallelism,
            deadline: clock.now + connectLimit
        )
        let opened = pool.transports.count
        let (after, settled) = try await settle(
            client,
            openFiles: (before.openFiles + UInt64(opened))...,
            limit: settleLimit
        )
        let clientAfter = ProcFS.residentBytes()
        await pool.close(deadline: clock.now + .seconds(60))
        // What the burst leaves behind: descriptors back to (about) where they were. The server
        // trims its heap once no connection closed for 1 s (ChurnMemoryTrimmer); RSS steady for
        // 3 s, not 1, so the measurement cannot end just before the trim.
        let (closed, closedSettled) = try await settle(
            client,
            openFiles: 0...(before.openFiles + 16),
            steadyFor: 6,
            limit: settleLimit
        )
        await control.close()

        return IdleConnectionsResult(
            requested: count,
            opened: opened,
            failures: pool.failures,
            firstError: pool.firstError,
            before: before,
            after: after,
            settled: settled,
            closed: closed,
            closedSettled: closedSettled,
            connectElapsed: pool.elapsed,
            clientBytesPerConnection: clientBefore.flatMap { before in
                clientAfter.map { opened > 0 ? Double($0 - before) / Double(opened) : 0 }
            }
        )
    }

    /// Polls the server's stats until its descriptor count is in `openFiles` and its RSS moved
    /// by less than 0.2 % over `steadyFor` consecutive half-second polls, or `limit` passes.
    private static func settle(
        _ client: RPCClient,
        openFiles: some RangeExpression<UInt64> & Sendable,
        steadyFor: Int = 2,
        limit: Duration
    ) async throws -> (stats: ServerStats, settled: Bool) {
        let deadline = ContinuousClock.now + limit
        var previous = try await BenchTarget.stats(client)
        var steady = 0
        // Bounded by the deadline.
        while ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(500))
            let current = try await BenchTarget.stats(client)
            let moved = abs(Double(current.residentBytes) - Double(previous.residentBytes))
            if openFiles.contains(current.openFiles), moved <= Double(previous.residentBytes) * 0.002 {
                steady += 1
            } else {
                steady = 0
            }
            previous = current
            if steady >= steadyFor { return (current, true) }
        }
        return (previous, false)
    }
}
