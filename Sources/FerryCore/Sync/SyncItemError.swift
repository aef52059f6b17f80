/// One item of a sync that was skipped or failed (`ferry.v1.ItemError`): a task that failed
/// validation, an object that could not be parsed or written.
public struct SyncItemError: Sendable, Hashable {
    /// The object key the item came from.
    public var key: String
    /// The item's 0-based position inside the object (JSON list element or JSONL row), if known.
    public var rowIndex: Int64?
    /// The 1-based line in the object where the problem is, if known (JSONL).
    public var line: Int64?
    /// A readable explanation.
    public var message: String

    /// Creates an item error.
    ///
    /// - Parameters:
    ///   - key: The object key.
    ///   - rowIndex: The 0-based row inside the object, if known.
    ///   - line: The 1-based line inside the object, if known.
    ///   - message: A readable explanation.
    public init(key: String, rowIndex: Int64? = nil, line: Int64? = nil, message: String) {
        self.key = key
        self.rowIndex = rowIndex
        self.line = line
        self.message = message
    }
}
