import Testing

@testable import FerryStore

/// The hand-built JSON that batch statements read with `json_each` decodes, in SQLite, to
/// exactly the strings that went in.
struct JSONTextTests {
    static let awkward = [
        "plain.json", #"quote " and backslash \ "#, "new\nline\ttab\r", "bell \u{07} escape \u{1B}",
        "unicode é 漢字 🚢", "", "/slashes/stay/",
    ]

    @Test func stringsRoundTripThroughSQLite() async throws {
        try await withStore { store, _ in
            let decoded = try await store.reader.read { transaction in
                try await transaction.rows(
                    "SELECT value FROM json_each(?) ORDER BY key", [.text(JSONText.array(of: Self.awkward))]
                ).map { try $0.string("value") }
            }
            #expect(decoded == Self.awkward)
        }
    }

    @Test func importRowsRoundTripThroughSQLite() async throws {
        let tasks = Self.awkward.enumerated().map { NewTask(key: $1, rowIndex: Int64($0), data: #"{"v":"\#($0)"}"#) }
        try await withStore { store, _ in
            let rows = try await store.reader.read { transaction in
                try await transaction.rows(
                    "SELECT value ->> 'k' AS k, value ->> 'r' AS r, value ->> 'd' AS d FROM json_each(?) ORDER BY key",
                    [.text(JSONText.importRows(tasks))]
                )
            }
            #expect(try rows.map { try $0.string("k") } == tasks.map(\.key))
            #expect(try rows.map { try $0.int64("r") } == tasks.map(\.rowIndex))
            #expect(try rows.map { try $0.string("d") } == tasks.map(\.data))
        }
    }
}
