import NIOCore
import NIOEmbedded
import Testing

@testable import FerryTransport

@Suite("Keepalive")
struct KeepaliveHandlerTests {
    private func makeChannel() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel(
            handler: KeepaliveHandler(interval: .seconds(10), timeout: .seconds(5), sendsGoAway: true),
            loop: EmbeddedEventLoop()
        )
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return channel
    }

    @Test("A PING is answered with the same payload and not passed on")
    func answersPing() throws {
        let channel = try makeChannel()
        try channel.writeInbound([Frame.settings(FrameSettings()), Frame.ping(data: 77, ack: false)])
        #expect(try channel.readOutbound(as: Frame.self) == .ping(data: 77, ack: true))
        #expect(try channel.readInbound(as: [Frame].self) == [.settings(FrameSettings())])
        try channel.throwIfErrorCaught()
        _ = try channel.finish(acceptAlreadyClosed: false)
    }

    @Test("A PING before the peer's SETTINGS is not answered but passed on, for the connection to refuse")
    func pingBeforeSettings() throws {
        let channel = try makeChannel()
        try channel.writeInbound([Frame.ping(data: 77, ack: false)])
        #expect(try channel.readOutbound(as: Frame.self) == nil)
        #expect(try channel.readInbound(as: [Frame].self) == [.ping(data: 77, ack: false)])
        _ = try channel.finish(acceptAlreadyClosed: false)
    }

    @Test("Silence earns a PING, and no answer within the timeout closes with GOAWAY")
    func deadPeer() throws {
        let channel = try makeChannel()
        channel.embeddedEventLoop.advanceTime(by: .seconds(9))
        #expect(try channel.readOutbound(as: Frame.self) == nil)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        guard case .ping(_, false) = try channel.readOutbound(as: Frame.self) else {
            Issue.record("expected a PING after 10 s of silence")
            return
        }
        channel.embeddedEventLoop.advanceTime(by: .seconds(5))
        guard case .goAway(_, .keepaliveTimeout, _) = try channel.readOutbound(as: Frame.self) else {
            Issue.record("expected GOAWAY KEEPALIVE_TIMEOUT")
            return
        }
        #expect(!channel.isActive)
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    @Test("Any frame after the PING keeps the connection")
    func aliveAfterPing() throws {
        let channel = try makeChannel()
        channel.embeddedEventLoop.advanceTime(by: .seconds(10))
        guard case .ping(let data, false) = try channel.readOutbound(as: Frame.self) else {
            Issue.record("expected a PING")
            return
        }
        try channel.writeInbound([Frame.settings(FrameSettings()), Frame.ping(data: data, ack: true)])
        _ = try channel.readInbound(as: [Frame].self)
        channel.embeddedEventLoop.advanceTime(by: .seconds(6))
        #expect(channel.isActive)
        try channel.writeInbound([Frame.endStream(streamID: 1)])
        #expect(try channel.readInbound(as: [Frame].self) == [.endStream(streamID: 1)])
        _ = try channel.finish(acceptAlreadyClosed: false)
    }

    @Test("While a handler above holds reads, silence is ours, not the peer's: no PING")
    func pausedReads() throws {
        let channel = try makeChannel()
        try channel.writeInbound([Frame.endStream(streamID: 1)])  // A read burst ends; no read() follows.
        channel.embeddedEventLoop.advanceTime(by: .seconds(30))
        #expect(try channel.readOutbound(as: Frame.self) == nil)
        channel.read()  // Reading resumes.
        channel.embeddedEventLoop.advanceTime(by: .seconds(10))
        guard case .ping(_, false) = try channel.readOutbound(as: Frame.self) else {
            Issue.record("expected a PING once reads resumed and the peer stayed silent")
            return
        }
        _ = try channel.finish(acceptAlreadyClosed: false)
    }
}
