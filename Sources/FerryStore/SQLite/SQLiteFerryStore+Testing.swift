import SQLiteNIO

extension SQLiteFerryStore {
    /// Runs one SQL statement in a write transaction, for tests that need a state the API cannot
    /// make (a schema from the future, a hand-edited row). Never called by the server.
    func _testOnly_execute(_ sql: String) async throws {
        try await self.writer.write { transaction in
            try await transaction.execute(sql)
        }
    }

    /// Runs one SQL query (on the reader unless `onWriter`) and returns the first column of every
    /// row as text.
    func _testOnly_strings(_ sql: String, onWriter: Bool = false) async throws -> [String] {
        try await (onWriter ? self.writer : self.reader).withConnection { connection in
            try await connection.rows(sql).map { row in row.columns.first?.data.string ?? "NULL" }
        }
    }
}
