import FerryRPC
import FerryTLS
import FerryTransport
import NIOCore
import NIOPosix

/// The server under test as the measuring process sees it: where it listens and how to reach it.
struct BenchTarget: Sendable {
    /// The server's port on 127.0.0.1.
    let port: Int
    /// The client TLS context (worker certificate), shared by every connection.
    let tls: TLSContext
    /// The source addresses connections are spread over.
    var sources = SourceAddresses.kernelChoice

    /// A new, unconnected transport: one TLS connection once it connects.
    ///
    /// - Parameter group: Its event loops: the shared singleton unless a measurement needs a
    ///   particular loop (an `EventLoop` is a group of one).
    func makeTransport(group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) -> FerryClientTransport {
        var configuration = ClientTransportConfiguration()
        configuration.sourceAddress = sources.nextAddress()
        return FerryClientTransport(
            host: "127.0.0.1",
            port: port,
            serverHostname: "localhost",
            tls: tls,
            configuration: configuration,
            group: group
        )
    }

    /// A loop of its own for the control and ping connections, so that their calls do not queue
    /// behind the load's tasks on the client's shared loops: what is measured is the server.
    static let measurementLoop: any EventLoopGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    /// A thread of its own for the tasks that measure under load, for the same reason: the load's
    /// writer tasks keep the shared executor busy, and a ping's reply must not wait behind them
    /// in this process's queue.
    static let measurementExecutor = ThreadPoolTaskExecutor(threads: 1)

    /// Asks the server for its ``ServerStats``.
    ///
    /// - Parameter client: A client on a connection of its own (not one under load).
    static func stats(_ client: RPCClient) async throws -> ServerStats {
        let reply = try await client.unary(
            BenchAPI.stats,
            request: [],
            serializer: BytesCoder(),
            deserializer: BytesCoder(),
            options: CallOptions(timeout: .seconds(10))
        )
        return try ServerStats(decoding: reply)
    }

    /// One ping round trip, split at the moment the server's handler ran.
    ///
    /// - Parameter client: The client to ping through.
    /// - Returns: Nanoseconds from sending to the handler, and from the handler to the reply.
    @discardableResult
    static func ping(_ client: RPCClient) async throws -> (request: Int64, response: Int64) {
        let sent = MonotonicTime.nanoseconds()
        let reply = try await client.unary(
            BenchAPI.ping,
            request: sent.littleEndianBytes + BenchAPI.pingMessage[8...],
            serializer: BytesCoder(),
            deserializer: BytesCoder(),
            options: CallOptions(timeout: .seconds(5))
        )
        let received = MonotonicTime.nanoseconds()
        guard reply.count == 24 else { return (0, 0) }
        let handled = UInt64(littleEndianBytes: reply[16..<24])
        return (Int64(handled) - Int64(sent), Int64(received) - Int64(handled))
    }
}
