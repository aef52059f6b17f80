import NIOCore

/// One reply from a Redis server in the RESP2 protocol.
enum RESPValue: Sendable, Equatable {
    /// `+OK`: a short status line.
    case simpleString(String)
    /// `-ERR ...`: the server refused the command; the command's own failure, not the connection's.
    case error(RedisServerError)
    /// `:42`.
    case integer(Int64)
    /// `$5 hello`, or `$-1` (`nil`) for a missing value.
    case bulkString(ByteBuffer?)
    /// `*2 ...` (elements may be arrays themselves), or `*-1` (`nil`).
    case array([RESPValue]?)
}

/// An error reply (`-WRONGPASS invalid username-password pair`): the server's code, when the
/// reply starts with one, and the rest of its message.
struct RedisServerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The leading all-capitals word (`ERR`, `WRONGTYPE`, `WRONGPASS`, `NOAUTH`, `NOPERM`), if any.
    var code: String?
    /// The message after the code.
    var message: String

    /// Splits an error line into its code and message.
    ///
    /// - Parameter line: The reply's text without the leading `-`.
    init(line: String) {
        let parts = line.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
        if let first = parts.first, !first.isEmpty, first.allSatisfy({ $0.isASCII && ($0.isUppercase || $0 == "_") }) {
            code = String(first)
            message = parts.count > 1 ? String(parts[1]) : ""
        } else {
            code = nil
            message = line
        }
    }

    var description: String {
        if let code { return "\(code) \(message)" }
        return message
    }
}
