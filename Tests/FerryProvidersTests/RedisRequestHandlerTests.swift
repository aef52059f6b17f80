@testable import FerryProviders
import NIOCore
import NIOEmbedded
import Testing

/// Pipelining over one connection: commands encoded in order, replies matched to them in order,
/// and a broken connection failing everything that waits.
@Suite struct RedisRequestHandlerTests {
    private static func channel() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandlers(
            ByteToMessageHandler(RESPReplyDecoder(maxReplyBytes: 1 << 20)),
            MessageToByteHandler(RESPCommandEncoder()),
            RedisRequestHandler()
        )
        return channel
    }

    private static func send(_ command: RedisCommand, on channel: EmbeddedChannel) -> EventLoopFuture<RESPValue> {
        let reply = channel.eventLoop.makePromise(of: RESPValue.self)
        channel.writeAndFlush(RedisRequest(command: command, reply: reply), promise: nil)
        return reply.futureResult
    }

    private static func written(_ channel: EmbeddedChannel) throws -> String {
        var text = ""
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) { text += String(buffer: buffer) }
        return text
    }

    @Test func commandsGoOutAsArraysOfBulkStringsAndRepliesCompleteThemInOrder() throws {
        let channel = try Self.channel()
        let first = Self.send(RedisCommand("GET", "a"), on: channel)
        let second = Self.send(RedisCommand("SET", ["k"], payload: Array("v\r\n".utf8)), on: channel)
        let third = Self.send(RedisCommand("GET", "missing"), on: channel)
        #expect(try Self.written(channel) == "*2\r\n$3\r\nGET\r\n$1\r\na\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\nv\r\n\r\n*2\r\n$3\r\nGET\r\n$7\r\nmissing\r\n")

        try channel.writeInbound(ByteBuffer(string: "$1\r\n1\r\n+OK\r\n$-"))
        #expect(try first.wait() == .bulkString(ByteBuffer(string: "1")))
        #expect(try second.wait() == .simpleString("OK"))
        try channel.writeInbound(ByteBuffer(string: "1\r\n"))
        #expect(try third.wait() == .bulkString(nil))
    }

    @Test func aMalformedReplyFailsEveryWaitingCommandAndLaterOnesAtOnce() throws {
        let channel = try Self.channel()
        let first = Self.send(RedisCommand("GET", "a"), on: channel)
        let second = Self.send(RedisCommand("GET", "b"), on: channel)
        try channel.writeInbound(ByteBuffer(string: "?\r\n"))
        #expect(throws: RESPProtocolError.unknownType(UInt8(ascii: "?"))) { try first.wait() }
        #expect(throws: RESPProtocolError.unknownType(UInt8(ascii: "?"))) { try second.wait() }
        #expect(!channel.isActive)
        let late = Self.send(RedisCommand("GET", "c"), on: channel)
        #expect(throws: (any Error).self) { try late.wait() }
    }

    @Test func theEndOfTheConnectionFailsWhatWaits() throws {
        let channel = try Self.channel()
        let waiting = Self.send(RedisCommand("GET", "a"), on: channel)
        channel.pipeline.fireChannelInactive()
        #expect {
            try waiting.wait()
        } throws: { error in
            if case RedisConnectionError.closed = error { return true }
            return false
        }
    }

    @Test func aReplyNobodyAskedForClosesTheConnection() throws {
        let channel = try Self.channel()
        try channel.writeInbound(ByteBuffer(string: "+OK\r\n"))
        #expect(!channel.isActive)
    }
}
