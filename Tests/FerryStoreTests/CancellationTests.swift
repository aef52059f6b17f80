import FerryCore
import Testing

@testable import FerryStore

/// A handler cancelled in the middle of a transaction (its client vanished, say a worker killed
/// with -9) must not leave the shared connection inside an open transaction.
struct CancellationTests {
    @Test func aTransactionCancelledHalfwayStillEndsAndTheConnectionStaysUsable() async throws {
        try await withStore { store, _ in
            try await store.writer.withConnection { connection in
                try await connection.execute("CREATE TABLE probe (n INTEGER)")
            }
            let cancelled = Task {
                try await store.writer.write { transaction in
                    try await transaction.execute("INSERT INTO probe (n) VALUES (1)")
                    withUnsafeCurrentTask { $0?.cancel() }
                    try await transaction.execute("INSERT INTO probe (n) VALUES (2)")
                }
            }
            _ = await cancelled.result
            // The writer takes new transactions, and the reader sees them: no transaction was left open.
            try await store.writer.write { transaction in
                try await transaction.execute("INSERT INTO probe (n) VALUES (3)")
            }
            let count = try await store.reader.read { transaction in
                try await transaction.row("SELECT COUNT(*) AS n FROM probe")?.int64("n")
            }
            #expect(count == 3, "the begun transaction ran to its end and later writes are visible")
        }
    }
}
