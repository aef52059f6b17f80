import FerryRPC
import FerryTLS
import FerryTestSupport
import NIOCore
import Testing

@testable import FerryTransport

/// What PROTOCOL.md promises a client, checked with a raw client over TLS that sees every frame.
@Suite("Protocol conformance, raw client")
struct ProtocolConformanceTests {
    @Test("A ClientHello without ALPN gets the no_application_protocol alert (120), §2.2")
    func noALPN() async throws {
        try await TestServer.with { server in
            let noALPN = try TLSContext(
                configuration: .client(trustRootsPath: TestPKI.shared.caPath, applicationProtocols: []))
            let raw = try await RawTLSConnection.connect(port: server.port, context: noALPN)
            #expect(try await waitUntil { raw.isClosed })
            let reasons = raw.errors.compactMap { $0 as? TLSError }.flatMap(\.underlying).map(\.reason)
            #expect(reasons.contains { $0.contains("no application protocol") }, "\(raw.errors)")
            #expect(try raw.receivedFrames().isEmpty)
        }
    }

    @Test("A response larger than the client's MAX_MESSAGE_SIZE ends its call with RESOURCE_EXHAUSTED; the connection lives (§9.1)")
    func clientMessageLimit() async throws {
        try await TestServer.with { server in
            let raw = try await RawTLSConnection.connect(port: server.port)
            let big = ByteBuffer(repeating: 7, count: 100)
            let fits = ByteBuffer(repeating: 5, count: 16)
            try await raw.send([
                .settings(FrameSettings(maxConcurrentStreams: 100, maxMessageSize: 16)),
                // Unary: the reply leaves with the trailers.
                .requestHeaders(streamID: 1, path: EchoService.get.path, timeout: nil, metadata: [:]),
                .message(streamID: 1, payload: big),
                .endStream(streamID: 1),
                // Bidirectional: the reply is written while the call runs.
                .requestHeaders(streamID: 3, path: EchoService.update.path, timeout: nil, metadata: [:]),
                .message(streamID: 3, payload: big),
                .requestHeaders(streamID: 5, path: EchoService.get.path, timeout: nil, metadata: [:]),
                .message(streamID: 5, payload: fits),
                .endStream(streamID: 5),
            ])
            let answered = try await waitUntil { try Self.trailers(raw).count == 3 }
            #expect(answered)
            let trailers = try Self.trailers(raw)
            #expect(trailers[1]?.code == .resourceExhausted, "\(trailers)")
            #expect(trailers[1]?.message == "Response message of 100 bytes exceeds the client's 16-byte limit")
            #expect(trailers[3]?.code == .resourceExhausted, "\(trailers)")
            #expect(trailers[5]?.code == .ok, "\(trailers)")
            let messages = try raw.receivedFrames().compactMap { frame -> UInt32? in
                if case .message(let streamID, _) = frame { return streamID }
                return nil
            }
            #expect(messages == [5])
            #expect(!raw.isClosed)
            await raw.close()
        }
    }

    @Test("A call still running when the grace period ends gets TRAILERS UNAVAILABLE before the connection closes (§7.5)")
    func gracePeriodEnds() async throws {
        var configuration = ServerTransportConfiguration()
        configuration.gracePeriod = .milliseconds(200)
        try await TestServer.with(configuration: configuration) { server in
            let raw = try await RawTLSConnection.connect(port: server.port)
            try await raw.send([
                .settings(FrameSettings()),
                .requestHeaders(streamID: 1, path: EchoService.block.path, timeout: nil, metadata: [:]),
                .message(streamID: 1, payload: ByteBuffer(bytes: [1])),
                .endStream(streamID: 1),
            ])
            #expect(try await waitUntil { server.echo.events.started == 1 })
            server.server.beginGracefulShutdown()
            #expect(try await waitUntil { raw.isClosed })
            let frames = try raw.receivedFrames()
            let goAway = frames.firstIndex { if case .goAway(1, .noError, _) = $0 { true } else { false } }
            let trailers = try Self.trailers(raw)
            #expect(goAway != nil, "\(frames)")
            #expect(trailers[1]?.code == .unavailable, "\(frames)")
            #expect(frames.last.map { if case .trailers = $0 { true } else { false } } == true, "\(frames)")
            #expect(try await waitUntil { server.echo.events.cancelled == 1 })
        }
    }

    /// The status of every stream the server has ended so far, by stream id.
    private static func trailers(_ raw: RawTLSConnection) throws -> [UInt32: Status] {
        var statuses: [UInt32: Status] = [:]
        for case .trailers(let streamID, let status, _) in try raw.receivedFrames() {
            statuses[streamID] = status
        }
        return statuses
    }
}
