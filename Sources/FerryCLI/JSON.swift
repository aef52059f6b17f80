import Foundation

/// JSON text from JSONSerialization objects, and the values ferryctl's JSON gives the API's
/// fields that are not plain numbers, strings or booleans.
public enum JSON {
    /// Pretty-printed, keys sorted, slashes unescaped.
    public static func encode(_ object: Any) -> String {
        let data = (try? JSONSerialization.data(
            withJSONObject: object,
            options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        )) ?? Data("null".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// On one line, keys sorted: one record of a stream (`--watch -o json` prints one per line).
    public static func line(_ object: Any) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
            ?? Data("null".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// An instant (`*_unix_micros`) as an RFC 3339 string; `null` when not set (0).
    static func time(_ micros: Int64) -> Any {
        TimeText.rfc3339(unixMicros: micros) ?? NSNull()
    }

    /// A field that holds JSON text (`data_json`, `result_json`, …) as the JSON it holds, so
    /// that the output nests it; text that does not parse stays a string, and empty text is `null`.
    static func embedded(_ text: String) -> Any {
        guard !text.isEmpty else { return NSNull() }
        return (try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])) ?? text
    }
}
