/// Key-value pairs sent with a call: request metadata, trailing metadata.
///
/// Keys are lower-case ASCII (`a-z`, `0-9`, `-`, `_`, `.`); a key may repeat, and order is kept.
/// Keys starting with `:` or `ferry-` are reserved for the runtime.
public struct Metadata: Sendable, Hashable, ExpressibleByDictionaryLiteral, Sequence {
    /// One key-value pair.
    public struct Entry: Sendable, Hashable {
        /// The lower-case key.
        public var key: String
        /// The UTF-8 value.
        public var value: String
    }

    private var entries: [Entry]

    /// Creates empty metadata.
    public init() {
        self.entries = []
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.entries = elements.map { Entry(key: $0.0.lowercased(), value: $0.1) }
    }

    /// The number of entries.
    public var count: Int { entries.count }

    /// Whether there are no entries.
    public var isEmpty: Bool { entries.isEmpty }

    /// Appends a value; existing values for the key are kept.
    ///
    /// - Parameters:
    ///   - value: The value.
    ///   - key: The key; it is lower-cased.
    public mutating func add(_ value: String, forKey key: String) {
        entries.append(Entry(key: key.lowercased(), value: value))
    }

    /// The first value for a key, or `nil`.
    ///
    /// - Parameter key: The key, matched case-insensitively.
    public subscript(key: String) -> String? {
        let key = key.lowercased()
        return entries.first(where: { $0.key == key })?.value
    }

    /// All values for a key, in order.
    ///
    /// - Parameter key: The key, matched case-insensitively.
    /// - Returns: The values, possibly none.
    public func values(forKey key: String) -> [String] {
        let key = key.lowercased()
        return entries.filter { $0.key == key }.map(\.value)
    }

    /// Whether a key is well formed: non-empty, lower-case ASCII letters, digits, `-`, `_` and `.`.
    ///
    /// - Parameter key: The key to check.
    /// - Returns: `true` if the key may be sent.
    public static func isValidKey(_ key: String) -> Bool {
        !key.isEmpty
            && key.utf8.allSatisfy { byte in
                (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x2D || byte == 0x5F
                    || byte == 0x2E
            }
    }

    public func makeIterator() -> IndexingIterator<[Entry]> {
        entries.makeIterator()
    }
}
