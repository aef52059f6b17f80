/// Why a `regex_filter` pattern was refused: a syntax error, or a construct the linear-time
/// matcher does not run (backreferences, lookaround, possessive quantifiers, …), with the
/// character position where it starts.
public struct KeyPatternError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, naming the construct.
    public var message: String
    /// The 0-based position in the pattern (in Unicode scalars) where the problem starts.
    public var offset: Int

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - message: What is wrong.
    ///   - offset: Where in the pattern.
    public init(_ message: String, at offset: Int) {
        self.message = message
        self.offset = offset
    }

    /// `message at character N`.
    public var description: String { "\(message) at character \(offset + 1)" }
}
