import FerryRPC
import NIOCore
import Testing

@testable import FerryTransport

@Suite("Hostile input")
struct HostileInputTests {
    let coder = BytesCoder()

    /// Sends `bytes` on a raw connection and checks the server closes it with GOAWAY `error`,
    /// while a well-behaved client on its own connection is served before and after.
    /// - Returns: Every frame the raw connection received.
    @discardableResult
    private func expectConnectionError(_ bytes: [UInt8], _ error: GoAwayError) async throws -> [Frame] {
        try await TestServer.with { server in
            try await server.withClient { client in
                let before = try await client.unary(EchoService.get, request: [1], serializer: coder, deserializer: coder)
                #expect(before == [1])
                let raw = try await RawTLSConnection.connect(port: server.port)
                try await raw.send(bytes)
                let closed = try await waitUntil { raw.isClosed }
                #expect(closed)
                let goAway = try raw.receivedFrames().compactMap { frame -> GoAwayError? in
                    if case .goAway(_, let error, _) = frame { return error }
                    return nil
                }
                #expect(goAway == [error])
                let after = try await client.unary(EchoService.get, request: [2], serializer: coder, deserializer: coder)
                #expect(after == [2])
                await raw.close()
                return try raw.receivedFrames()
            }
        }
    }

    private static let settings: [UInt8] = [0, 0, 0, 0, 0x00, 0, 0, 0, 0, 0]

    @Test("A malformed frame closes only its own connection")
    func malformedFrame() async throws {
        try await expectConnectionError(Self.settings + [0, 0, 0, 1, 0x04, 0, 0, 0, 0, 1, 0xAA], .protocolError)
    }

    @Test("An unknown frame type closes the connection")
    func unknownFrameType() async throws {
        try await expectConnectionError(Self.settings + [0, 0, 0, 0, 0x42, 0, 0, 0, 0, 1], .protocolError)
    }

    @Test("An impossible length closes the connection before any body arrives")
    func impossibleLength() async throws {
        try await expectConnectionError(Self.settings + [0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0, 0, 0, 0, 1], .frameSizeError)
    }

    @Test("A first frame other than SETTINGS closes the connection")
    func noSettings() async throws {
        try await expectConnectionError([0, 0, 0, 0, 0x04, 0, 0, 0, 0, 1], .protocolError)
    }

    @Test("A PING before SETTINGS is not answered: PROTOCOL_ERROR closes the connection (§4.2)")
    func pingBeforeSettings() async throws {
        let ping: [UInt8] = [0, 0, 0, 8, 0x07, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8]
        let frames = try await expectConnectionError(ping, .protocolError)
        #expect(!frames.contains { $0.isPing }, "\(frames)")
    }

    @Test("A frame for a stream never opened closes the connection")
    func unopenedStream() async throws {
        try await expectConnectionError(Self.settings + [0, 0, 0, 0, 0x04, 0, 0, 0, 0, 7], .protocolError)
    }

    @Test("A flood of streams beyond the limit closes the connection")
    func streamFlood() async throws {
        var configuration = ServerTransportConfiguration()
        configuration.maxConcurrentStreams = 4
        try await TestServer.with(configuration: configuration) { server in
            let raw = try await RawTLSConnection.connect(port: server.port)
            var frames: [Frame] = [.settings(FrameSettings())]
            for index in 0..<100 {
                let id = UInt32(2 * index + 1)
                frames.append(.requestHeaders(streamID: id, path: EchoService.block.path, timeout: nil, metadata: [:]))
            }
            try await raw.send(frames)
            let closed = try await waitUntil { raw.isClosed }
            #expect(closed)
            let received = try raw.receivedFrames()
            #expect(received.contains { if case .goAway(_, .enhanceYourCalm, _) = $0 { true } else { false } })
            #expect(received.contains {
                if case .trailers(_, let status, _) = $0 { status.code == .resourceExhausted } else { false }
            })
        }
    }

    @Test("An oversized message sent anyway fails its stream with RESOURCE_EXHAUSTED; the connection lives")
    func oversizedMessageFromRawPeer() async throws {
        var configuration = ServerTransportConfiguration()
        configuration.maxMessageSize = 1024
        try await TestServer.with(configuration: configuration) { server in
            let raw = try await RawTLSConnection.connect(port: server.port)
            var big = ByteBuffer()
            big.writeRepeatingByte(1, count: 10_000)
            try await raw.send([
                .settings(FrameSettings()),
                .requestHeaders(streamID: 1, path: EchoService.get.path, timeout: nil, metadata: [:]),
                .message(streamID: 1, payload: big),
                .endStream(streamID: 1),
                .requestHeaders(streamID: 3, path: EchoService.get.path, timeout: nil, metadata: [:]),
                .message(streamID: 3, payload: ByteBuffer(bytes: [5])),
                .endStream(streamID: 3),
            ])
            let answered = try await waitUntil {
                try raw.receivedFrames().filter { if case .trailers = $0 { true } else { false } }.count == 2
            }
            #expect(answered)
            let frames = try raw.receivedFrames()
            #expect(frames.contains(.trailers(
                streamID: 1, status: Status(code: .resourceExhausted, message: "Message of 10000 bytes exceeds the size limit"),
                metadata: [:])))
            #expect(frames.contains(.message(streamID: 3, payload: ByteBuffer(bytes: [5]))))
            #expect(!raw.isClosed)
            await raw.close()
        }
    }

    @Test("Garbage instead of a TLS handshake closes the connection; others are served")
    func garbageInsteadOfTLS() async throws {
        try await TestServer.with { server in
            let raw = try await RawTLSConnection.connect(port: server.port, tls: false)
            try await raw.send(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
            let closed = try await waitUntil { raw.isClosed }
            #expect(closed)
            try await server.withClient { client in
                let echoed = try await client.unary(EchoService.get, request: [3], serializer: coder, deserializer: coder)
                #expect(echoed == [3])
            }
        }
    }
}
