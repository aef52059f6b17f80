import FerryCore

/// A result row of either store, read by column name: what the shared column mappings
/// (``StorageColumns``, ``SyncInfoColumns``, ``JobColumns``) decode from. A missing or mistyped
/// value is ``StoreError/Code/corrupt``.
protocol StoredRow {
    /// An integer column; `nil` for NULL.
    func optionalInt64(_ column: String) throws -> Int64?
    /// A text column; `nil` for NULL.
    func optionalString(_ column: String) throws -> String?
    /// A binary column; `nil` for NULL.
    func optionalBytes(_ column: String) throws -> [UInt8]?
    /// A boolean column (SQLite stores 0 or 1).
    func bool(_ column: String) throws -> Bool
}

extension StoredRow {
    func int64(_ column: String) throws -> Int64 {
        guard let value = try self.optionalInt64(column) else {
            throw StoreError.corrupt("Column \(column) is NULL.")
        }
        return value
    }

    func string(_ column: String) throws -> String {
        guard let value = try self.optionalString(column) else {
            throw StoreError.corrupt("Column \(column) is NULL.")
        }
        return value
    }

    func optionalTime(_ column: String) throws -> FerryTime? {
        try self.optionalInt64(column).map(FerryTime.init(unixMicroseconds:))
    }

    func time(_ column: String) throws -> FerryTime {
        FerryTime(unixMicroseconds: try self.int64(column))
    }

    func rawEnum<E: RawRepresentable>(_ column: String, as type: E.Type) throws -> E where E.RawValue == String {
        let raw = try self.string(column)
        guard let value = E(rawValue: raw) else {
            throw StoreError.corrupt("Column \(column) holds an unknown value '\(raw)'.")
        }
        return value
    }
}

/// A value to bind, as the shared column mappings produce it; each store turns it into its
/// driver's bind type. Times are microseconds since the epoch.
enum ColumnValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case string(String)

    static func int64(_ value: Int64?) -> ColumnValue {
        value.map(ColumnValue.integer) ?? .null
    }

    static func text(_ value: String?) -> ColumnValue {
        value.map(ColumnValue.string) ?? .null
    }

    static func time(_ value: FerryTime?) -> ColumnValue {
        value.map { .integer($0.unixMicroseconds) } ?? .null
    }
}
