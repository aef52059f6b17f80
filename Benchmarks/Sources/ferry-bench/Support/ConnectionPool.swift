import FerryTransport
import Synchronization

/// Many client connections, each its own ``FerryClientTransport``, opened and closed with
/// bounded parallelism.
struct ConnectionPool: Sendable {
    /// The connected transports.
    var transports: [FerryClientTransport]
    /// Connections that failed to open.
    var failures: Int
    /// The first failure, for the report.
    var firstError: String?
    /// How long opening took.
    var elapsed: Duration

    /// A pool of transports that are already connected.
    init(transports: [FerryClientTransport], failures: Int = 0, firstError: String? = nil, elapsed: Duration = .zero) {
        self.transports = transports
        self.failures = failures
        self.firstError = firstError
        self.elapsed = elapsed
    }

    /// Opens up to `count` connections, `parallelism` at a time, starting no new one after `deadline`.
    ///
    /// - Parameters:
    ///   - target: The server.
    ///   - count: Connections wanted.
    ///   - parallelism: Connects in flight at once.
    ///   - deadline: When to stop starting connects.
    /// - Returns: The pool; failed or unstarted connections are not in it.
    static func open(
        to target: BenchTarget,
        count: Int,
        parallelism: Int,
        deadline: ContinuousClock.Instant
    ) async -> ConnectionPool {
        await open((0..<count).map { _ in target.makeTransport() }, parallelism: parallelism, deadline: deadline)
    }

    /// Connects the given transports, `parallelism` at a time, starting no new one after `deadline`.
    ///
    /// - Parameters:
    ///   - transports: Unconnected transports.
    ///   - parallelism: Connects in flight at once.
    ///   - deadline: When to stop starting connects.
    /// - Returns: The pool of those that connected.
    static func open(
        _ transports: [FerryClientTransport],
        parallelism: Int,
        deadline: ContinuousClock.Instant
    ) async -> ConnectionPool {
        let clock = ContinuousClock()
        let start = clock.now
        let count = transports.count
        let results = await forEach(count: count, parallelism: parallelism, deadline: deadline) { index in
            try await transports[index].connect()
        }
        var connected: [FerryClientTransport] = []
        connected.reserveCapacity(count)
        var failures = 0
        var firstError: String?
        for (index, transport) in transports.enumerated() {
            switch results[index] {
            case .some(.success):
                connected.append(transport)
            case .some(.failure(let error)):
                failures += 1
                if firstError == nil { firstError = "\(error)" }
            case .none:
                break  // Not started before the deadline.
            }
        }
        return ConnectionPool(transports: connected, failures: failures, firstError: firstError, elapsed: clock.now - start)
    }

    /// Closes every connection, `parallelism` at a time, giving up on starting closes after `deadline`.
    func close(parallelism: Int = 64, deadline: ContinuousClock.Instant) async {
        let transports = self.transports
        _ = await Self.forEach(count: transports.count, parallelism: parallelism, deadline: deadline) { index in
            await transports[index].close()
        }
    }

    /// Runs `body` for each index with at most `parallelism` running; indices not started by
    /// `deadline` get `nil`.
    private static func forEach(
        count: Int,
        parallelism: Int,
        deadline: ContinuousClock.Instant,
        _ body: @escaping @Sendable (Int) async throws -> Void
    ) async -> [Result<Void, any Error>?] {
        var results = [Result<Void, any Error>?](repeating: nil, count: count)
        await withTaskGroup(of: (Int, Result<Void, any Error>).self) { group in
            var next = 0
            func startNext() -> Bool {
                guard next < count, ContinuousClock.now < deadline else { return false }
                let index = next
                next += 1
                group.addTask {
                    do {
                        try await body(index)
                        return (index, .success(()))
                    } catch {
                        return (index, .failure(error))
                    }
                }
                return true
            }
            var started = 0
            while started < max(1, parallelism), startNext() {
                started += 1
            }
            // Bounded: each finished task starts at most one more, and only before the deadline.
            while let (index, result) = await group.next() {
                results[index] = result
                _ = startNext()
            }
        }
        return results
    }
}
