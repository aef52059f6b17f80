/// A reply that breaks the RESP2 protocol or Ferry's limits. The connection that received it is
/// closed: what follows in its byte stream can no longer be trusted.
enum RESPProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A reply began with a byte that is no RESP2 type.
    case unknownType(UInt8)
    /// A length or integer line did not hold a decimal integer in range.
    case invalidNumber(String)
    /// A status, error or length line ran past `limit` bytes without its CR LF.
    case lineTooLong(limit: Int)
    /// A line ended with a bare LF, or a bulk string was not followed by CR LF.
    case missingCRLF
    /// A length below -1.
    case negativeLength(Int)
    /// The reply, with what its last header announced, needs more bytes than one reply may hold.
    case replyTooLarge(needed: Int, limit: Int)
    /// Arrays nested deeper than any Redis command's reply.
    case nestedTooDeep(limit: Int)

    var description: String {
        switch self {
        case .unknownType(let byte): "malformed reply: unknown type byte 0x\(String(byte, radix: 16))"
        case .invalidNumber(let text): "malformed reply: \"\(text.prefix(40))\" is not an integer"
        case .lineTooLong(let limit): "malformed reply: a line longer than \(limit) bytes"
        case .missingCRLF: "malformed reply: a missing CR LF"
        case .negativeLength(let length): "malformed reply: length \(length)"
        case .replyTooLarge(let needed, let limit):
            "the reply needs at least \(needed) bytes, more than the limit of \(limit) bytes"
        case .nestedTooDeep(let limit): "malformed reply: arrays nested more than \(limit) deep"
        }
    }
}
