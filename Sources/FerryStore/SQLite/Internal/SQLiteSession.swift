import FerryCore
import Logging
import NIOCore
import NIOPosix
import SQLiteNIO
import Synchronization

/// One SQLite connection with the gate that serializes its transactions.
///
/// `ferryd` opens two: the writer, through which every write transaction goes (`BEGIN IMMEDIATE`,
/// so even another process on the same file waits its turn), and a reader for snapshots (WAL lets
/// it read while the writer writes).
final class SQLiteSession: Sendable {
    let connection: SQLiteConnection
    let role: String
    private let gate = AsyncGate()
    private let isClosed = Mutex(false)

    init(connection: SQLiteConnection, role: String) {
        self.connection = connection
        self.role = role
    }

    deinit {
        assert(self.isClosed.withLock { $0 }, "SQLiteFerryStore was not closed before it was released (\(self.role)).")
    }

    /// Runs `body` in a write transaction (`BEGIN IMMEDIATE … COMMIT`); rolls back on any error.
    func write<T>(_ body: (SQLiteTransaction) async throws -> T) async throws -> T {
        try await self.transaction(begin: "BEGIN IMMEDIATE", body)
    }

    /// Runs `body` in a read transaction (`BEGIN … COMMIT`), so its statements share one snapshot.
    func read<T>(_ body: (SQLiteTransaction) async throws -> T) async throws -> T {
        try await self.transaction(begin: "BEGIN", body)
    }

    /// Runs `body` holding the gate, without a transaction (for one-statement reads and PRAGMAs).
    func withConnection<T>(_ body: (SQLiteTransaction) async throws -> T) async throws -> T {
        try await self.gate.withPermit {
            try self.checkOpen()
            return try await body(SQLiteTransaction(connection: self.connection))
        }
    }

    /// Waits for the running transaction, then closes the connection.
    func close() async throws {
        try await self.gate.withPermit {
            let wasClosed = self.isClosed.withLock { closed in
                defer { closed = true }
                return closed
            }
            if wasClosed { return }
            do {
                try await self.connection.close()
            } catch {
                throw StoreError.from(error, while: "closing the \(self.role) connection")
            }
        }
    }

    private func transaction<T>(begin: String, _ body: (SQLiteTransaction) async throws -> T) async throws -> T {
        try await self.gate.withPermit {
            try self.checkOpen()
            let transaction = SQLiteTransaction(connection: self.connection)
            try await transaction.execute(begin)
            do {
                let value = try await body(transaction)
                try await transaction.execute("COMMIT")
                return value
            } catch {
                do {
                    try await transaction.execute("ROLLBACK")
                } catch {
                    // SQLite may already have rolled back (some errors end the transaction), in
                    // which case ROLLBACK fails harmlessly with "no transaction is active".
                    self.connection.logger.debug(
                        "ROLLBACK after a failed transaction failed",
                        metadata: ["role": "\(self.role)", "error": "\(error)"]
                    )
                }
                throw error
            }
        }
    }

    private func checkOpen() throws {
        if self.isClosed.withLock({ $0 }) {
            throw StoreError(code: .closed, message: "The store is closed.")
        }
    }
}

/// The statements of one transaction on one connection. Only valid inside the closure it was
/// handed to.
struct SQLiteTransaction: Sendable {
    let connection: SQLiteConnection

    /// Runs a statement and returns every row.
    ///
    /// Deliberately not cancellable: sqlite-nio's async `query` refuses to start in a cancelled
    /// task, so a handler cancelled mid-transaction (its client went away) would have its
    /// `ROLLBACK` refused too and leave the shared connection inside an open transaction, stuck
    /// on an old snapshot (reader) or refusing every later `BEGIN` (writer). Statements are
    /// short; a transaction that started runs to its end and the caller sees the cancellation
    /// afterwards.
    func rows(_ sql: String, _ binds: [SQLiteData] = []) async throws -> [SQLiteRow] {
        do {
            let rows: EventLoopFuture<[SQLiteRow]> = self.connection.query(sql, binds)
            return try await rows.get()
        } catch {
            throw StoreError.from(error, while: "running \(Self.summary(sql))")
        }
    }

    /// Runs a statement and returns its first row, if any.
    func row(_ sql: String, _ binds: [SQLiteData] = []) async throws -> SQLiteRow? {
        try await self.rows(sql, binds).first
    }

    /// Runs a statement and ignores any rows.
    func execute(_ sql: String, _ binds: [SQLiteData] = []) async throws {
        _ = try await self.rows(sql, binds)
    }

    /// The first words of a statement, for error messages (never its bound values).
    private static func summary(_ sql: String) -> String {
        let words = sql.split(whereSeparator: { $0 == " " || $0 == "\n" }).prefix(4)
        return "`" + words.joined(separator: " ") + " …`"
    }
}

extension StoreError {
    /// Maps any error from the SQLite layer to a store error; store errors pass through.
    static func from(_ error: any Error, while doing: String) -> StoreError {
        if let storeError = error as? StoreError { return storeError }
        guard let sqliteError = error as? SQLiteError else {
            return StoreError(code: .io, message: "Database error while \(doing).", cause: error)
        }
        let code: StoreError.Code
        switch sqliteError.reason {
        case .constraintUniqueFailed, .constraintPrimaryKeyFailed, .constraintUniqueRowIDFailed:
            code = .conflict
        case .constraint, .constraintCheckFailed, .constraintNotNullFailed, .constraintForeignKeyFailed:
            code = .invalidArgument
        case .corrupt, .corruptIndex, .corruptSequenceSchema, .corruptVirtualTable, .notADatabase, .format:
            code = .corrupt
        default:
            code = .io
        }
        return StoreError(code: code, message: "SQLite error while \(doing): \(sqliteError.message)", cause: error)
    }
}
