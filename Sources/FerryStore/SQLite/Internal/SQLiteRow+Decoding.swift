import FerryCore
import NIOCore
import SQLiteNIO

/// Typed column reads that turn a missing or mistyped value into ``StoreError/Code/corrupt``.
extension SQLiteRow: StoredRow {
    func optionalInt64(_ column: String) throws -> Int64? {
        switch try self.value(column) {
        case .null: return nil
        case .integer(let value): return Int64(value)
        default: throw StoreError.corrupt("Column \(column) is not an integer.")
        }
    }

    func optionalString(_ column: String) throws -> String? {
        switch try self.value(column) {
        case .null: return nil
        case .text(let value): return value
        default: throw StoreError.corrupt("Column \(column) is not text.")
        }
    }

    func bool(_ column: String) throws -> Bool {
        try self.int64(column) != 0
    }

    func optionalBytes(_ column: String) throws -> [UInt8]? {
        switch try self.value(column) {
        case .null: return nil
        case .blob(let buffer): return Array(buffer.readableBytesView)
        default: throw StoreError.corrupt("Column \(column) is not a blob.")
        }
    }

    private func value(_ column: String) throws -> SQLiteData {
        guard let value = self.column(column) else {
            throw StoreError.corrupt("The result has no column \(column).")
        }
        return value
    }
}

/// Bind values for the types FerryStore writes.
extension SQLiteData {
    static func int64(_ value: Int64) -> SQLiteData {
        .integer(SQLiteInt64(value))
    }

    static func int64(_ value: Int64?) -> SQLiteData {
        value.map { .integer(SQLiteInt64($0)) } ?? .null
    }

    static func int(_ value: Int) -> SQLiteData {
        .integer(SQLiteInt64(value))
    }

    static func bool(_ value: Bool) -> SQLiteData {
        .integer(value ? 1 : 0)
    }

    static func text(_ value: String?) -> SQLiteData {
        value.map { .text($0) } ?? .null
    }

    static func time(_ value: FerryTime?) -> SQLiteData {
        value.map { .integer(SQLiteInt64($0.unixMicroseconds)) } ?? .null
    }

    static func time(_ value: FerryTime) -> SQLiteData {
        .integer(SQLiteInt64(value.unixMicroseconds))
    }

    /// A shared mapping's value.
    init(_ value: ColumnValue) {
        switch value {
        case .null: self = .null
        case .integer(let value): self = .integer(SQLiteInt64(value))
        case .string(let value): self = .text(value)
        }
    }

    static func bytes(_ value: [UInt8]?) -> SQLiteData {
        guard let value else { return .null }
        return .blob(ByteBuffer(bytes: value))
    }
}
