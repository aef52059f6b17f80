import FerryCore
import NIOCore
import PostgresNIO

/// A PostgreSQL result row read by column name, for the shared column mappings; a missing column
/// or a value of another type is ``StoreError/Code/corrupt``.
struct PostgresStoredRow: StoredRow, Sendable {
    private let row: PostgresRandomAccessRow
    private static let textTypes: [PostgresDataType] = [.text, .varchar, .bpchar, .name]

    init(_ row: PostgresRow) {
        self.row = row.makeRandomAccess()
    }

    func optionalInt64(_ column: String) throws -> Int64? {
        try self.decode(column, as: Int64.self)
    }

    func optionalString(_ column: String) throws -> String? {
        // String decodes any value as its bytes; only a text column is text.
        if self.row.contains(column), !Self.textTypes.contains(self.row[column].dataType) {
            throw StoreError.corrupt("Column \(column) is not text.")
        }
        return try self.decode(column, as: String.self)
    }

    func optionalBytes(_ column: String) throws -> [UInt8]? {
        try self.decode(column, as: ByteBuffer.self).map { Array($0.readableBytesView) }
    }

    func bool(_ column: String) throws -> Bool {
        guard let value = try self.decode(column, as: Bool.self) else {
            throw StoreError.corrupt("Column \(column) is NULL.")
        }
        return value
    }

    /// The first column as text, whatever its type (tests read counts and ids this way).
    func firstColumnText() -> String {
        guard let cell = self.row.first, cell.bytes != nil else { return "NULL" }
        // Numbers and booleans first: String decodes any binary value as its bytes.
        if let value = try? cell.decode(Int64.self) { return String(value) }
        if let value = try? cell.decode(Bool.self) { return String(value) }
        if let value = try? cell.decode(String.self) { return value }
        return "<\(cell.dataType)>"
    }

    private func decode<T: PostgresDecodable>(_ column: String, as type: T.Type) throws -> T?
    where T._DecodableType == T {
        guard self.row.contains(column) else {
            throw StoreError.corrupt("The result has no column \(column).")
        }
        do {
            return try self.row[column].decode(T?.self)
        } catch {
            throw StoreError.corrupt("Column \(column) is not of type \(T.self).", cause: error)
        }
    }
}

extension PostgresQuery.StringInterpolation {
    /// Binds a time as microseconds since the epoch, or NULL.
    mutating func appendInterpolation(time: FerryTime?) {
        self.appendInterpolation(time?.unixMicroseconds)
    }

    /// Binds bytes as `bytea`, or NULL.
    mutating func appendInterpolation(bytes: [UInt8]?) {
        self.appendInterpolation(bytes.map { ByteBuffer(bytes: $0) })
    }
}

extension PostgresQuery {
    /// A query assembled piece by piece (a WHERE clause with optional filters): literal SQL and
    /// bound values, never a value spliced into the SQL.
    struct Builder {
        private var interpolation = PostgresQuery.StringInterpolation(literalCapacity: 256, interpolationCount: 8)

        init(_ sql: String = "") {
            self.interpolation.appendLiteral(sql)
        }

        /// Appends SQL text (written by the store, never a caller's value).
        mutating func sql(_ text: String) {
            self.interpolation.appendLiteral(text)
        }

        /// Appends a placeholder bound to `value`.
        mutating func bind(_ value: some PostgresDynamicTypeEncodable) {
            self.interpolation.appendInterpolation(value)
        }

        /// Appends a placeholder bound to `value`, or to NULL.
        mutating func bind<Value: PostgresDynamicTypeEncodable>(_ value: Value?) {
            self.interpolation.appendInterpolation(value)
        }

        /// Appends a placeholder bound to an array (for `= ANY(…)`).
        mutating func bind<Element: PostgresArrayEncodable>(array value: [Element]) throws {
            try self.interpolation.appendInterpolation(value)
        }

        /// The query so far.
        var query: PostgresQuery {
            PostgresQuery(stringInterpolation: self.interpolation)
        }
    }
}
