/// An object that is not valid task JSON. It fails the sync; the traceback names the key and
/// the line.
public struct TaskFileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The object key.
    public var key: String
    /// The 1-based line of the problem.
    public var line: Int
    /// What is wrong.
    public var message: String

    /// Creates an error.
    public init(key: String, line: Int, message: String) {
        self.key = key
        self.line = line
        self.message = message
    }

    public var description: String { "\(key), line \(line): \(message)" }
}
