import NIOPosix

/// Where tests run long blocking work (writing thousands of files, waiting for a fixture
/// process): a thread pool of its own. On NIO's shared pool such work held its two threads for
/// minutes, and every in-process server's SQLite store, which runs its queries on that pool,
/// stalled until tests beside it timed out.
public enum TestBlockingWork {
    private static let pool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 4)
        pool.start()
        return pool
    }()

    /// Runs `body` on the tests' own blocking pool.
    public static func run<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await pool.runIfActive(body)
    }
}
