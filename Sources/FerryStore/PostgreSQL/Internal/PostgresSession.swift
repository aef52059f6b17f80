import FerryCore
import Logging
import PostgresNIO
import Synchronization

/// The connection pool of one ``PostgresFerryStore``, with its transactions.
///
/// Every write runs in a `READ COMMITTED` transaction whose statements lock the rows they
/// decide on (`SELECT … FOR UPDATE`), so a read-decide-write is atomic across every server
/// process sharing the database; every multi-statement read runs in a `REPEATABLE READ, READ
/// ONLY` transaction, one snapshot.
final class PostgresSession: Sendable {
    /// A connection pool and the task that runs it.
    private struct Pool: Sendable {
        let client: PostgresClient
        let running: Task<Void, Never>

        init(configuration: PostgresClient.Configuration, logger: Logger) {
            let client = PostgresClient(
                configuration: configuration, eventLoopGroup: PostgresSession.eventLoops, backgroundLogger: logger)
            self.client = client
            self.running = Task { await client.run() }
        }

        func shutDown() async {
            running.cancel()
            await running.value
        }
    }

    let logger: Logger
    private let configuration: PostgresClient.Configuration
    private let pool: Mutex<Pool>
    private let inFlight = InFlightCalls()
    /// Cleared while the change feed has lost the database, so calls fail at once as
    /// unavailable instead of queueing for a connection the pool cannot make.
    private let reachable = Atomic<Bool>(true)
    private let database: String

    /// The event loop the database connections run on: one of their own, so decoding query
    /// results never delays the server's RPC connections on the shared loops.
    static let eventLoops = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    /// Starts the pool (its `run()` task); ``close()`` ends it.
    init(configuration: PostgresClient.Configuration, database: String, logger: Logger) {
        self.configuration = configuration
        self.pool = Mutex(Pool(configuration: configuration, logger: logger))
        self.database = database
        self.logger = logger
    }

    /// Runs `body` in a write transaction (`BEGIN … COMMIT`); rolls back on any error.
    func write<T: Sendable>(_ body: (PostgresTransaction) async throws -> T) async throws -> T {
        try await self.transaction(begin: "BEGIN", body)
    }

    /// Runs `body` in a read-only transaction on one snapshot.
    func read<T: Sendable>(_ body: (PostgresTransaction) async throws -> T) async throws -> T {
        try await self.transaction(begin: "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", body)
    }

    /// Runs `body` on a pooled connection outside a transaction (each statement commits alone).
    func withConnection<T: Sendable>(_ body: (PostgresTransaction) async throws -> T) async throws -> T {
        try await self.inFlight.run {
            try await self.lease { connection in
                try await body(PostgresTransaction(connection: connection, logger: self.logger))
            }
        }
    }

    /// Waits for in-flight calls, then shuts the pool down. Later calls throw
    /// ``StoreError/Code/closed``; closing again does nothing.
    func close() async {
        await self.inFlight.close()
        await self.pool.withLock { $0 }.shutDown()
    }

    /// The database is lost: calls fail at once as unavailable until ``databaseIsBack()``.
    func databaseIsLost() {
        self.reachable.store(false, ordering: .relaxed)
    }

    /// The database answers again: calls go to a new pool. The old pool may be backing off
    /// after the failed connection attempts of the outage (postgres-nio waits up to a minute
    /// between attempts, and refuses requests meanwhile), so it is shut down, failing what still
    /// waits on it as unavailable.
    func databaseIsBack() async {
        guard !self.reachable.load(ordering: .relaxed) else { return }
        let fresh = Pool(configuration: self.configuration, logger: self.logger)
        let old = self.pool.withLock { pool in
            defer { pool = fresh }
            return pool
        }
        self.reachable.store(true, ordering: .relaxed)
        await old.shutDown()
    }

    private func transaction<T: Sendable>(
        begin: PostgresQuery,
        _ body: (PostgresTransaction) async throws -> T
    ) async throws -> T {
        try await self.inFlight.run {
            try await self.lease { connection in
                let transaction = PostgresTransaction(connection: connection, logger: self.logger)
                try await transaction.execute(begin)
                do {
                    let value = try await body(transaction)
                    try await transaction.execute("COMMIT")
                    return value
                } catch {
                    do {
                        try await transaction.execute("ROLLBACK")
                    } catch {
                        // A connection that cannot roll back must not go back to the pool inside
                        // a transaction: closing it makes the server roll back.
                        self.logger.warning(
                            "ROLLBACK after a failed transaction failed; closing the connection",
                            metadata: ["error": "\(String(reflecting: error))"]
                        )
                        try? await connection.close()
                    }
                    throw error
                }
            }
        }
    }

    private func lease<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        guard self.reachable.load(ordering: .relaxed) else {
            throw StoreError(code: .unavailable, message: "The database \(self.database) cannot be reached; try again shortly.")
        }
        do {
            return try await self.pool.withLock { $0.client }.withConnection { connection in
                try await body(connection)
            }
        } catch {
            throw StoreError.from(postgres: error, while: "using a pooled database connection")
        }
    }
}

/// The statements of one transaction (or one leased connection). Only valid inside the closure
/// it was handed to.
struct PostgresTransaction: Sendable {
    let connection: PostgresConnection
    let logger: Logger

    /// Runs a statement and returns every row.
    func rows(_ query: PostgresQuery) async throws -> [PostgresStoredRow] {
        do {
            return try await self.connection.query(query, logger: self.logger).collect().map(PostgresStoredRow.init)
        } catch {
            throw StoreError.from(postgres: error, while: "running \(Self.summary(query.sql))")
        }
    }

    /// Runs a named statement (prepared on this connection at its first use) and returns every row.
    func rows<Statement: HotStatement>(_ statement: Statement) async throws -> [PostgresStoredRow] {
        do {
            var rows: [PostgresStoredRow] = []
            for try await row in try await self.connection.execute(statement, logger: self.logger) {
                rows.append(row)
            }
            return rows
        } catch {
            throw StoreError.from(postgres: error, while: "running \(Self.summary(Statement.sql))")
        }
    }

    /// Runs a named statement and returns its first row, if any.
    func row(_ statement: some HotStatement) async throws -> PostgresStoredRow? {
        try await self.rows(statement).first
    }

    /// Runs a named statement and ignores any rows.
    func execute(_ statement: some HotStatement) async throws {
        _ = try await self.rows(statement)
    }

    /// Runs a statement and returns its first row, if any.
    func row(_ query: PostgresQuery) async throws -> PostgresStoredRow? {
        try await self.rows(query).first
    }

    /// Runs a statement and ignores any rows.
    func execute(_ query: PostgresQuery) async throws {
        _ = try await self.rows(query)
    }

    /// `NOTIFY` on ``PostgresChangeListener/channel``: PostgreSQL delivers it to every listening
    /// session when the transaction commits, and drops it on a rollback.
    func announce(_ change: StoreChange) async throws {
        guard let payload = change.payload else { return }
        try await self.execute("SELECT pg_notify(\(PostgresChangeListener.channel), \(payload))")
    }

    /// The first words of a statement, for error messages (never its bound values).
    private static func summary(_ sql: String) -> String {
        let words = sql.split(whereSeparator: { $0 == " " || $0 == "\n" }).prefix(4)
        return "`" + words.joined(separator: " ") + " …`"
    }
}
