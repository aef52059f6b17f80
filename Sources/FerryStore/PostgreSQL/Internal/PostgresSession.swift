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
    let client: PostgresClient
    let logger: Logger
    private let running: Task<Void, Never>
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
        let client = PostgresClient(configuration: configuration, eventLoopGroup: Self.eventLoops, backgroundLogger: logger)
        self.client = client
        self.database = database
        self.logger = logger
        self.running = Task { await client.run() }
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
        self.running.cancel()
        await self.running.value
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

    /// Records whether the database answers (the change feed's connection does).
    func setReachable(_ reachable: Bool) {
        self.reachable.store(reachable, ordering: .relaxed)
    }

    private func lease<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        guard self.reachable.load(ordering: .relaxed) else {
            throw StoreError(code: .unavailable, message: "The database \(self.database) cannot be reached; try again shortly.")
        }
        do {
            return try await self.client.withConnection { connection in
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

    /// Runs a statement and returns its first row, if any.
    func row(_ query: PostgresQuery) async throws -> PostgresStoredRow? {
        try await self.rows(query).first
    }

    /// Runs a statement and ignores any rows.
    func execute(_ query: PostgresQuery) async throws {
        _ = try await self.rows(query)
    }

    /// The first words of a statement, for error messages (never its bound values).
    private static func summary(_ sql: String) -> String {
        let words = sql.split(whereSeparator: { $0 == " " || $0 == "\n" }).prefix(4)
        return "`" + words.joined(separator: " ") + " …`"
    }
}
