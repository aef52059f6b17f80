import FerryTransport

/// How fast new TLS connections can be made: connect (TCP, TLS 1.3 handshake with the worker
/// certificate, or a resumed session, then Ferry SETTINGS) then close, in a loop.
struct HandshakeResult: Sendable {
    /// Connections made in parallel.
    var concurrency: Int
    /// Whether the client offered a session ticket (resumed handshakes) or never did (full ones).
    var resumed: Bool
    /// Connections that completed.
    var completed: Int
    /// Connections that failed.
    var failures: Int
    /// How long the loop ran.
    var elapsed: Duration
    /// The first failure, for the report.
    var firstError: String?
    /// The server's CPU time during the loop.
    var serverCPU: Duration?
    /// This process's CPU time during the loop.
    var clientCPU: Duration?

    /// Completed connections per second.
    var perSecond: Double { elapsed.seconds > 0 ? Double(completed) / elapsed.seconds : 0 }

    /// Server CPU per completed connection, in microseconds.
    var serverMicrosecondsPerHandshake: Double? {
        guard let serverCPU, completed > 0 else { return nil }
        return serverCPU.seconds * 1e6 / Double(completed)
    }

    /// Client CPU per completed connection, in microseconds.
    var clientMicrosecondsPerHandshake: Double? {
        guard let clientCPU, completed > 0 else { return nil }
        return clientCPU.seconds * 1e6 / Double(completed)
    }
}

/// Measures TLS handshakes per second.
enum Handshakes {
    /// Runs `concurrency` loops of connect + close for `duration`.
    ///
    /// - Parameters:
    ///   - target: The server.
    ///   - server: The server process, for its CPU time.
    ///   - concurrency: Loops running at once; 1 is sequential.
    ///   - duration: How long to keep connecting.
    ///   - resumed: Whether `target`'s client resumes sessions: one connection is made first, so
    ///     that every measured one has a ticket to offer.
    /// - Returns: The counts.
    static func measure(
        target: BenchTarget,
        server: ServerProcess,
        concurrency: Int,
        duration: Duration,
        resumed: Bool
    ) async -> HandshakeResult {
        if resumed {
            let priming = target.makeTransport()
            try? await priming.connect()
            await priming.close()
        }
        let clock = ContinuousClock()
        let serverBefore = server.cpuTime()
        let clientBefore = ProcFS.cpuTime()
        let start = clock.now
        let deadline = start + duration
        let totals = Locked<(completed: Int, failures: Int, firstError: String?)>((0, 0, nil))
        await withDiscardingTaskGroup { group in
            for _ in 0..<concurrency {
                group.addTask {
                    // Bounded by the deadline; each connect has the transport's 10 s connect timeout.
                    while clock.now < deadline, !Task.isCancelled {
                        let transport = target.makeTransport()
                        do {
                            try await transport.connect()
                            totals.withLock { $0.completed += 1 }
                        } catch {
                            totals.withLock {
                                $0.failures += 1
                                if $0.firstError == nil { $0.firstError = "\(error)" }
                            }
                        }
                        await transport.close()
                    }
                }
            }
        }
        let elapsed = clock.now - start
        let serverCPU = server.cpuTime().flatMap { after in serverBefore.map { after - $0 } }
        let clientCPU = ProcFS.cpuTime().flatMap { after in clientBefore.map { after - $0 } }
        return totals.withLock {
            HandshakeResult(
                concurrency: concurrency,
                resumed: resumed,
                completed: $0.completed,
                failures: $0.failures,
                elapsed: elapsed,
                firstError: $0.firstError,
                serverCPU: serverCPU,
                clientCPU: clientCPU
            )
        }
    }
}
