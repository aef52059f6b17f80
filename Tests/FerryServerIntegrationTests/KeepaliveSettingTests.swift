import FerryTLS
import FerryTestSupport
import FerryTransport
import Foundation
import Testing

/// ferryd's `keepalive.intervalSeconds` and `keepalive.timeoutSeconds` reach its connections: a
/// client that stops answering is pinged and then disconnected on their schedule (§7.4).
@Suite(.timeLimit(.minutes(2)))
struct KeepaliveSettingTests {
    @Test func aSilentClientIsPingedAndDisconnectedOnTheConfiguredSchedule() async throws {
        let daemon = try FerrydProcess(
            staleAfterSeconds: 10,
            extraArguments: ["--keepalive-interval-seconds", "0.3", "--keepalive-timeout-seconds", "0.3"])
        defer { daemon.cleanUp() }
        try await daemon.start()
        let tls = try TLSContext(configuration: .client(
            trustRootsPath: TestPKI.shared.caPath, applicationProtocols: [FerryProtocol.alpn]))
        let client = try await RawTLSClient.connect(port: daemon.port, tls: tls)
        try await client.send([UInt8](repeating: 0, count: 10))  // An empty SETTINGS frame; then silence.
        // The defaults (30 s + 10 s) would keep it far longer than this wait.
        let closed = try await waitUntil(timeout: .seconds(15), every: .milliseconds(20)) { client.isClosed }
        #expect(closed)
        let frames = Self.frames(in: client.received)
        #expect(frames.contains { $0.type == 0x07 }, "no PING: \(frames)")
        // GOAWAY payload: last_stream_id u32, then error_code u32 = 5 KEEPALIVE_TIMEOUT.
        let goAway = frames.first { $0.type == 0x08 }
        #expect(goAway.map { Array($0.payload[4..<8]) } == [0, 0, 0, 5], "\(frames)")
        await client.close()
    }

    /// The type and payload of every whole frame in `bytes` (PROTOCOL.md §3.1).
    private static func frames(in bytes: [UInt8]) -> [(type: UInt8, payload: [UInt8])] {
        var rest = bytes[...]
        var frames: [(type: UInt8, payload: [UInt8])] = []
        while rest.count >= 10 {
            let start = rest.startIndex
            let length = rest.prefix(4).reduce(0) { $0 << 8 | Int($1) }
            guard rest.count >= 10 + length else { break }
            frames.append((rest[start + 4], Array(rest[(start + 10)..<(start + 10 + length)])))
            rest = rest.dropFirst(10 + length)
        }
        return frames
    }
}
