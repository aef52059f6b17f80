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
        let client = try await SilentTLSClient.connect(port: daemon.port)
        // The defaults (30 s + 10 s) would keep it far longer than this wait.
        let closed = try await waitUntil(timeout: .seconds(15), every: .milliseconds(20)) { client.isClosed }
        #expect(closed)
        let types = client.frames.map(\.type)
        #expect(types.contains(0x07), "no PING: \(types)")
        let goAway = client.frames.first { $0.type == 0x08 }
        // GOAWAY payload: last_stream_id u32, then error_code u32 = 5 KEEPALIVE_TIMEOUT.
        #expect(goAway.map { Array($0.payload[4..<8]) } == [0, 0, 0, 5], "\(types)")
        await client.close()
    }
}
