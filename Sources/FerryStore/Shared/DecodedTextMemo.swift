import Synchronization

/// Remembers what a deterministic decoder made of a stored text, so a row read again (every
/// list page reads the JSON columns of each storage on it) skips the JSON decoder, which took
/// most of a 1,000-storage ListStorages call. The text alone determines the value, so a hit is
/// always right; at the limit the memo starts over.
final class DecodedTextMemo<Value: Sendable>: Sendable {
    private let values = Mutex<[String: Value]>([:])
    private let limit: Int

    /// - Parameter limit: Texts remembered at most.
    init(limit: Int) {
        self.limit = limit
    }

    /// The value for `text`, decoded by `decode` unless remembered; errors are not remembered.
    func value(for text: String, decode: (String) throws -> Value) rethrows -> Value {
        if let value = values.withLock({ $0[text] }) {
            return value
        }
        let value = try decode(text)
        values.withLock { values in
            if values.count >= limit { values.removeAll(keepingCapacity: true) }
            values[text] = value
        }
        return value
    }
}
