/// A storage's `regex_filter`, compiled: which object keys a sync takes.
///
/// The pattern must match the *whole* key (docs/CONTRACT.md §1.2); an empty pattern matches every key.
/// Matching runs in time linear in the key (a Thompson NFA, ``KeyPatternProgram``), so no
/// pattern can make a sync hang: `(a+)+$`, which takes a backtracking engine 2ⁿ steps, costs
/// this one a few per character. The syntax (``KeyPatternParser``) is the common
/// PCRE/Python/Swift subset: classes, quantifiers, groups, alternation, anchors. Constructs that
/// need backtracking (backreferences, lookaround, atomic groups, possessive quantifiers) are
/// refused by name when the storage is created or updated, and again by the worker for a
/// storage saved before this check, which then fails its sync with the same message.
public struct KeyFilter: Sendable {
    /// The pattern as configured.
    public let pattern: String
    /// A matcher for the compiled program; each match works on a copy of its scratch space.
    private let matcher: KeyPatternMatcher?

    /// The filter that takes every key.
    public static var all: KeyFilter { KeyFilter(uncheckedEmpty: ()) }

    /// Compiles a pattern.
    ///
    /// - Parameter pattern: The regular expression; empty for all keys.
    /// - Throws: A ``ValidationError`` with a `regex_filter` field error if it does not parse,
    ///   uses an unsupported construct, or is too large.
    public init(pattern: String) throws(ValidationError) {
        self.pattern = pattern
        if pattern.isEmpty {
            self.matcher = nil
            return
        }
        do throws(KeyPatternError) {
            self.matcher = KeyPatternMatcher(try KeyPatternProgram(KeyPatternParser.parse(pattern)))
        } catch {
            throw ValidationError(
                fieldErrors: [FieldError(field: "regex_filter", code: .invalidFormat, message: "\(error)")]
            )
        }
    }

    private init(uncheckedEmpty: Void) {
        self.pattern = ""
        self.matcher = nil
    }

    /// Whether a key is taken by the sync.
    ///
    /// - Parameter key: The object key, relative to the bucket (not to the prefix).
    /// - Returns: `true` if the pattern is empty or matches the whole key.
    public func matches(_ key: String) -> Bool {
        guard var matcher else { return true }
        return matcher.matchesWhole(key)
    }
}
