import PostgresNIO

extension PostgresFerryStore {
    /// Runs one SQL statement in a write transaction, for tests that need a state the API cannot
    /// make (a schema from the future, a hand-edited row). Never called by the server.
    func _testOnly_execute(_ sql: String) async throws {
        try await self.session.write { transaction in
            try await transaction.execute(PostgresQuery(unsafeSQL: sql))
        }
    }

    /// Runs one SQL query and returns the first column of every row as text.
    func _testOnly_strings(_ sql: String) async throws -> [String] {
        try await self.session.withConnection { connection in
            try await connection.rows(PostgresQuery(unsafeSQL: sql)).map { $0.firstColumnText() }
        }
    }
}
