import NIOCore

/// One Redis command: its name and arguments, each sent as a RESP bulk string.
struct RedisCommand: Sendable {
    /// The name first, then the arguments, as bytes.
    var parts: [[UInt8]]

    /// A command whose arguments are text.
    ///
    /// - Parameters:
    ///   - name: The command (`GET`, `SCAN`).
    ///   - arguments: Its arguments.
    init(_ name: String, _ arguments: String...) {
        parts = [Array(name.utf8)] + arguments.map { Array($0.utf8) }
    }

    /// A command whose last argument is raw bytes (`SET key value`).
    ///
    /// - Parameters:
    ///   - name: The command.
    ///   - arguments: The text arguments.
    ///   - payload: The final argument's bytes.
    init(_ name: String, _ arguments: [String], payload: [UInt8]) {
        parts = [Array(name.utf8)] + arguments.map { Array($0.utf8) } + [payload]
    }

    /// The command's name, for error messages (never its arguments, which may be secrets).
    var name: String {
        String(decoding: parts.first ?? [], as: UTF8.self)
    }
}

/// Writes commands as RESP arrays of bulk strings: `*2\r\n$3\r\nGET\r\n$1\r\nk\r\n`.
struct RESPCommandEncoder: MessageToByteEncoder {
    typealias OutboundIn = RedisCommand

    func encode(data command: RedisCommand, out: inout ByteBuffer) throws {
        out.writeString("*\(command.parts.count)\r\n")
        for part in command.parts {
            out.writeString("$\(part.count)\r\n")
            out.writeBytes(part)
            out.writeStaticString("\r\n")
        }
    }
}
