import Foundation

/// Progress for the operator on standard error, so that it stays apart from the report on
/// standard output.
enum ProgressLog {
    /// Writes `ferry-bench: <message>` and a newline.
    static func write(_ message: String) {
        FileHandle.standardError.write(Data("ferry-bench: \(message)\n".utf8))
    }
}
