import NIOCore

/// Decodes RESP2 replies from the bytes a Redis server sends, as they arrive.
///
/// Elements are consumed as soon as each is whole; the arrays they belong to are kept open
/// across reads, so a long `SCAN` or pipelined reply is parsed once, never rescanned from its
/// start. A bulk string waits in the buffer until all its bytes are there, which is why its
/// announced length is checked against the reply budget first: a reply may hold at most
/// `maxReplyBytes` bytes on the wire, and one that announces more is refused before it is read.
/// Malformed input throws a ``RESPProtocolError``; nothing in it can make the decoder trap or
/// wait for bytes that a limit has already ruled out.
struct RESPReplyDecoder: ByteToMessageDecoder {
    typealias InboundOut = RESPValue

    /// The longest status, error or length line accepted (its CR LF excluded).
    static let maxLineBytes = 64 * 1024
    /// The deepest nesting of arrays accepted; Redis replies to Ferry's commands nest two deep.
    static let maxDepth = 32

    private let maxReplyBytes: Int
    /// The arrays of the reply being decoded that still wait for elements, outermost first.
    private var open: [OpenArray] = []
    /// The bytes the reply being decoded has consumed so far.
    private var replyBytes = 0

    private struct OpenArray {
        var remaining: Int
        var elements: [RESPValue]
    }

    private enum Element {
        case value(RESPValue)
        case arrayStart(count: Int)
    }

    /// Creates a decoder.
    ///
    /// - Parameter maxReplyBytes: The most bytes one reply may take on the wire.
    init(maxReplyBytes: Int) {
        self.maxReplyBytes = maxReplyBytes
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let reply = try nextReply(from: &buffer) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(reply))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws
        -> DecodingState
    {
        try decode(context: context, buffer: &buffer)
    }

    /// The next whole reply, or `nil` when `buffer` ends inside one; what was consumed of an
    /// unfinished reply is remembered for the next call.
    ///
    /// - Throws: ``RESPProtocolError``.
    mutating func nextReply(from buffer: inout ByteBuffer) throws -> RESPValue? {
        while let element = try nextElement(from: &buffer) {
            if let reply = try complete(element) { return reply }
        }
        return nil
    }

    /// Adds an element to the open arrays; returns the reply when it completes the outermost one.
    private mutating func complete(_ element: Element) throws -> RESPValue? {
        var value: RESPValue
        switch element {
        case .arrayStart(let count):
            guard open.count < Self.maxDepth else { throw RESPProtocolError.nestedTooDeep(limit: Self.maxDepth) }
            var elements: [RESPValue] = []
            elements.reserveCapacity(min(count, 1024))
            open.append(OpenArray(remaining: count, elements: elements))
            return nil
        case .value(let element):
            value = element
        }
        while var array = open.popLast() {
            array.elements.append(value)
            array.remaining -= 1
            if array.remaining > 0 {
                open.append(array)
                return nil
            }
            value = .array(array.elements)
        }
        replyBytes = 0
        return value
    }

    /// Consumes one element (a scalar, or an array's header) if all its bytes are there.
    private mutating func nextElement(from buffer: inout ByteBuffer) throws -> Element? {
        guard let type = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else { return nil }
        guard [UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: ":"), UInt8(ascii: "$"), UInt8(ascii: "*")]
            .contains(type)
        else {
            throw RESPProtocolError.unknownType(type)
        }
        guard let (line, headerBytes) = try Self.peekLine(buffer) else { return nil }
        switch type {
        case UInt8(ascii: "+"):
            try consume(headerBytes, from: &buffer)
            return .value(.simpleString(line))
        case UInt8(ascii: "-"):
            try consume(headerBytes, from: &buffer)
            return .value(.error(RedisServerError(line: line)))
        case UInt8(ascii: ":"):
            guard let number = Int64(line) else { throw RESPProtocolError.invalidNumber(line) }
            try consume(headerBytes, from: &buffer)
            return .value(.integer(number))
        case UInt8(ascii: "$"):
            return try bulkString(length: Self.length(line), headerBytes: headerBytes, from: &buffer)
        default:
            let count = try Self.length(line)
            guard count > 0 else {
                try consume(headerBytes, from: &buffer)
                return .value(.array(count == 0 ? [] : nil))
            }
            // Every element takes at least three bytes (`+` CR LF): refuse counts no budget can hold.
            let (least, overflow) = count.multipliedReportingOverflow(by: 3)
            try checkBudget(headerBytes, overflow ? Int.max : least)
            try consume(headerBytes, from: &buffer)
            return .arrayStart(count: count)
        }
    }

    private mutating func bulkString(length: Int, headerBytes: Int, from buffer: inout ByteBuffer) throws -> Element? {
        guard length >= 0 else {
            try consume(headerBytes, from: &buffer)
            return .value(.bulkString(nil))
        }
        try checkBudget(headerBytes, length, 2)
        let total = headerBytes + length + 2
        guard buffer.readableBytes >= total else { return nil }
        let terminator = buffer.readerIndex + headerBytes + length
        guard buffer.getInteger(at: terminator, as: UInt8.self) == UInt8(ascii: "\r"),
            buffer.getInteger(at: terminator + 1, as: UInt8.self) == UInt8(ascii: "\n")
        else {
            throw RESPProtocolError.missingCRLF
        }
        replyBytes += total
        buffer.moveReaderIndex(forwardBy: headerBytes)
        let body = buffer.readSlice(length: length)!
        buffer.moveReaderIndex(forwardBy: 2)
        return .value(.bulkString(body))
    }

    /// Refuses an element whose parts would take the reply past its budget.
    private func checkBudget(_ parts: Int...) throws {
        var total = replyBytes
        for part in parts {
            let (sum, overflow) = total.addingReportingOverflow(part)
            total = overflow ? Int.max : sum
        }
        guard total <= maxReplyBytes else {
            throw RESPProtocolError.replyTooLarge(needed: total, limit: maxReplyBytes)
        }
    }

    private mutating func consume(_ bytes: Int, from buffer: inout ByteBuffer) throws {
        try checkBudget(bytes)
        replyBytes += bytes
        buffer.moveReaderIndex(forwardBy: bytes)
    }

    /// The text after the type byte up to CR LF, and the bytes up to and including the CR LF;
    /// `nil` while the line is incomplete.
    private static func peekLine(_ buffer: ByteBuffer) throws -> (String, Int)? {
        let view = buffer.readableBytesView
        let searched = view.prefix(maxLineBytes + 3)
        guard let newline = searched.firstIndex(of: UInt8(ascii: "\n")) else {
            if searched.count == maxLineBytes + 3 { throw RESPProtocolError.lineTooLong(limit: maxLineBytes) }
            return nil
        }
        let carriageReturn = newline - 1
        guard carriageReturn > view.startIndex, view[carriageReturn] == UInt8(ascii: "\r") else {
            throw RESPProtocolError.missingCRLF
        }
        let text = String(decoding: view[(view.startIndex + 1)..<carriageReturn], as: UTF8.self)
        return (text, newline - view.startIndex + 1)
    }

    /// A bulk string's or array's length: a decimal integer of at least -1.
    private static func length(_ line: String) throws -> Int {
        guard let length = Int(line) else { throw RESPProtocolError.invalidNumber(line) }
        guard length >= -1 else { throw RESPProtocolError.negativeLength(length) }
        return length
    }
}
