/// A storage's `regex_filter`, compiled: which object keys a sync takes.
///
/// The pattern must match the *whole* key (docs/CONTRACT.md §1.2); an empty pattern matches every key. The
/// syntax is Swift `Regex`'s, which accepts the common PCRE/Python constructs (classes,
/// quantifiers, groups, alternation, anchors); a pattern that does not compile is refused when
/// the storage is created or updated.
///
/// Not `Sendable`: the standard library's `Regex<AnyRegexOutput>` is not. Build one per sync
/// task from the storage's pattern (compiling is cheap next to listing a bucket).
public struct KeyFilter {
    /// The pattern as configured.
    public let pattern: String
    private let regex: Regex<AnyRegexOutput>?

    /// The filter that takes every key.
    public static var all: KeyFilter { KeyFilter(uncheckedEmpty: ()) }

    /// Compiles a pattern.
    ///
    /// - Parameter pattern: The regular expression; empty for all keys.
    /// - Throws: A ``ValidationError`` with a `regex_filter` field error if it does not compile.
    public init(pattern: String) throws(ValidationError) {
        self.pattern = pattern
        if pattern.isEmpty {
            self.regex = nil
            return
        }
        do {
            self.regex = try Regex(pattern)
        } catch {
            throw ValidationError(
                fieldErrors: [
                    FieldError(field: "regex_filter", code: .invalidFormat, message: "does not compile: \(error)")
                ]
            )
        }
    }

    private init(uncheckedEmpty: Void) {
        self.pattern = ""
        self.regex = nil
    }

    /// Whether a key is taken by the sync.
    ///
    /// - Parameter key: The object key, relative to the bucket (not to the prefix).
    /// - Returns: `true` if the pattern is empty or matches the whole key.
    public func matches(_ key: String) -> Bool {
        guard let regex = self.regex else { return true }
        return (try? regex.wholeMatch(in: key)) != nil
    }
}
