@testable import FerryProviders
import NIOCore
import NIOEmbedded
import Testing

/// The RESP2 reply decoder, fed real replies in every split, and broken ones.
@Suite struct RESPReplyDecoderTests {
    /// One of each reply shape, as the server sends them back to back.
    static let replies: [(bytes: String, value: RESPValue)] = [
        ("+OK\r\n", .simpleString("OK")),
        ("-WRONGPASS invalid username-password pair\r\n",
         .error(RedisServerError(line: "WRONGPASS invalid username-password pair"))),
        ("-no code here\r\n", .error(RedisServerError(line: "no code here"))),
        (":-42\r\n", .integer(-42)),
        ("$5\r\nhe\r\no\r\n", .bulkString(ByteBuffer(string: "he\r\no"))),
        ("$0\r\n\r\n", .bulkString(ByteBuffer())),
        ("$-1\r\n", .bulkString(nil)),
        ("*-1\r\n", .array(nil)),
        ("*0\r\n", .array([])),
        ("*2\r\n$1\r\n0\r\n*3\r\n$3\r\na/b\r\n*1\r\n:7\r\n$-1\r\n",
         .array([.bulkString(ByteBuffer(string: "0")),
                 .array([.bulkString(ByteBuffer(string: "a/b")), .array([.integer(7)]), .bulkString(nil)])])),
        ("+\r\n", .simpleString("")),
    ]

    static var stream: [UInt8] { Array(replies.map(\.bytes).joined().utf8) }

    private static func channel(maxReplyBytes: Int = 1 << 20) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(
            ByteToMessageHandler(RESPReplyDecoder(maxReplyBytes: maxReplyBytes)))
        return channel
    }

    private static func decoded(_ channel: EmbeddedChannel) throws -> [RESPValue] {
        var values: [RESPValue] = []
        while let value = try channel.readInbound(as: RESPValue.self) { values.append(value) }
        return values
    }

    @Test func everyReplyShapeDecodesWhereverTheBytesAreSplit() throws {
        let bytes = Self.stream
        for split in 0...bytes.count {
            let channel = try Self.channel()
            try channel.writeInbound(ByteBuffer(bytes: bytes[..<split]))
            try channel.writeInbound(ByteBuffer(bytes: bytes[split...]))
            #expect(try Self.decoded(channel) == Self.replies.map(\.value), "split at \(split)")
            #expect(try channel.finish().isClean)
        }
    }

    @Test func oneByteAtATimeGivesEachReplyAsSoonAsItIsWhole() throws {
        let channel = try Self.channel()
        var values: [RESPValue] = []
        var ends: [Int] = []
        for (offset, byte) in Self.stream.enumerated() {
            try channel.writeInbound(ByteBuffer(bytes: [byte]))
            let now = try Self.decoded(channel)
            if !now.isEmpty { ends.append(offset + 1) }
            values += now
        }
        #expect(values == Self.replies.map(\.value))
        var end = 0
        let expectedEnds = Self.replies.map { end += $0.bytes.utf8.count; return end }
        #expect(ends == expectedEnds)
    }

    @Test func errorRepliesSplitTheServersCodeFromItsMessage() {
        let refusal = RedisServerError(line: "WRONGTYPE Operation against a key holding the wrong kind of value")
        #expect(refusal.code == "WRONGTYPE")
        #expect(refusal.message == "Operation against a key holding the wrong kind of value")
        #expect(RedisServerError(line: "Error without code").code == nil)
    }

    @Test(arguments: [
        ("!oops\r\n", RESPProtocolError.unknownType(UInt8(ascii: "!"))),
        (":12x\r\n", RESPProtocolError.invalidNumber("12x")),
        (":99999999999999999999\r\n", RESPProtocolError.invalidNumber("99999999999999999999")),
        ("$abc\r\n", RESPProtocolError.invalidNumber("abc")),
        ("$-2\r\n", RESPProtocolError.negativeLength(-2)),
        ("*-5\r\n", RESPProtocolError.negativeLength(-5)),
        ("+OK\n", RESPProtocolError.missingCRLF),
        ("$3\r\nabcXY", RESPProtocolError.missingCRLF),
        ("$1000\r\n", RESPProtocolError.replyTooLarge(needed: 1009, limit: 100)),
        ("$9223372036854775807\r\n", RESPProtocolError.replyTooLarge(needed: Int.max, limit: 100)),
        ("*9223372036854775807\r\n", RESPProtocolError.replyTooLarge(needed: Int.max, limit: 100)),
        ("*40\r\n", RESPProtocolError.replyTooLarge(needed: 125, limit: 100)),
    ])
    func malformedRepliesFailWithAClearError(input: String, expected: RESPProtocolError) throws {
        let channel = try Self.channel(maxReplyBytes: 100)
        #expect(throws: expected) { try channel.writeInbound(ByteBuffer(string: input)) }
        #expect(try Self.decoded(channel).isEmpty)
    }

    @Test func aReplyGrowingPastTheLimitElementByElementIsRefused() throws {
        let channel = try Self.channel(maxReplyBytes: 100)
        try channel.writeInbound(ByteBuffer(string: "*30\r\n"))
        #expect(throws: RESPProtocolError.replyTooLarge(needed: 103, limit: 100)) {
            for _ in 0..<30 { try channel.writeInbound(ByteBuffer(string: "$1\r\nx\r\n")) }
        }
    }

    @Test func aLineWithoutEndIsRefusedOnceItPassesTheLineLimit() throws {
        let channel = try Self.channel()
        try channel.writeInbound(ByteBuffer(string: "+" + String(repeating: "a", count: RESPReplyDecoder.maxLineBytes)))
        #expect(try Self.decoded(channel).isEmpty)
        #expect(throws: RESPProtocolError.lineTooLong(limit: RESPReplyDecoder.maxLineBytes)) {
            try channel.writeInbound(ByteBuffer(string: "aaaa"))
        }
    }

    @Test func arraysNestedPastTheLimitAreRefused() throws {
        let channel = try Self.channel()
        let deep = String(repeating: "*1\r\n", count: RESPReplyDecoder.maxDepth + 1)
        #expect(throws: RESPProtocolError.nestedTooDeep(limit: RESPReplyDecoder.maxDepth)) {
            try channel.writeInbound(ByteBuffer(string: deep))
        }
    }

    @Test func aValueOfExactlyTheLimitIsAccepted() throws {
        let channel = try Self.channel(maxReplyBytes: 5 + 10 + 2)
        try channel.writeInbound(ByteBuffer(string: "$10\r\n0123456789\r\n"))
        #expect(try Self.decoded(channel) == [.bulkString(ByteBuffer(string: "0123456789"))])
    }
}
