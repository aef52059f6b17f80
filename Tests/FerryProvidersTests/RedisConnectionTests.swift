import FerryCore
@testable import FerryProviders
import FerryTestSupport
import NIOCore
import NIOPosix
import Testing

/// One connection to a real `redis-server`, below the store.
@Suite(.timeLimit(.minutes(1)))
struct RedisConnectionTests {
    @Test func aCommandAfterTheConnectionClosedFailsWithWhyItClosed() async throws {
        let server = try await RedisServerProcess.start()
        defer { server.stop() }
        let endpoint = try RedisEndpoint(
            location: RedisLocation(host: "127.0.0.1", port: server.port), secrets: .none,
            options: RedisObjectStore.Options())
        let connection = try await RedisConnection.connect(to: endpoint, group: MultiThreadedEventLoopGroup.singleton)
        #expect(try await connection.send(RedisCommand("PING")) == .simpleString("PONG"))

        connection.close()
        try await connection.channel.closeFuture.get()
        // The channel's handlers are gone by now: without the recorded reason this would be
        // NIO's "I/O on closed channel".
        let result = await connection.send([RedisCommand("PING")])[0]
        #expect {
            try result.get()
        } throws: { error in
            if case RedisConnectionError.closed = error { return true }
            Issue.record("failed with \(error)")
            return false
        }
    }
}
