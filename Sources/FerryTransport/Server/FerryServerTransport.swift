public import FerryRPC
public import FerryTLS
public import NIOCore
import NIOExtras
public import NIOPosix
import Synchronization

/// Ferry's server transport: TLS on one TCP port, Ferry framing, many calls per connection.
///
/// Each accepted connection gets the pipeline TLS → frame decoder → frame writer → keepalive →
/// connection handler. Connections and their calls run as child tasks of ``listen(streamHandler:)``,
/// so when it returns nothing is left running. A connection's task and the calls of light methods
/// (``ServerMethodTraits/runsOnConnectionLoop``) run on the connection's event loop; other calls
/// run on the global executor.
public final class FerryServerTransport: ServerTransport {
    private let host: String
    private let port: Int
    private let tls: TLSContext
    private let configuration: ServerTransportConfiguration
    private let group: any EventLoopGroup
    private let quiescing: ServerQuiescingHelper
    private let trimmer = ChurnMemoryTrimmer()
    private let boundAddress = Mutex<BoundState>(.notBound([]))
    /// Each event loop of the group as a task executor, for the calls that run on their loop.
    private let loopExecutors: [ObjectIdentifier: EventLoopTaskExecutor]

    /// One accepted connection as its task sees it: its calls, and its event loop.
    private struct ConnectionCalls: Sendable {
        var calls: AsyncStream<IncomingStream>
        var loop: EventLoopTaskExecutor
    }

    private enum BoundState {
        case notBound([CheckedContinuation<SocketAddress, any Error>])
        case bound(SocketAddress)
        case failed(any Error)
    }

    /// Creates a transport.
    ///
    /// - Parameters:
    ///   - host: The address to listen on, for example `127.0.0.1` or `0.0.0.0`.
    ///   - port: The port; 0 picks a free one (see ``listeningAddress()``).
    ///   - tls: A server TLS context; there is no plaintext mode.
    ///   - configuration: Limits and timings.
    ///   - group: The event loops to run on.
    public init(
        host: String,
        port: Int,
        tls: TLSContext,
        configuration: ServerTransportConfiguration = ServerTransportConfiguration(),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        precondition(tls.configuration.role == .server, "the server transport needs a server TLS context")
        self.host = host
        self.port = port
        self.tls = tls
        self.configuration = configuration
        self.group = group
        self.quiescing = ServerQuiescingHelper(group: group)
        var loopExecutors: [ObjectIdentifier: EventLoopTaskExecutor] = [:]
        for loop in group.makeIterator() {
            loopExecutors[ObjectIdentifier(loop)] = EventLoopTaskExecutor(eventLoop: loop)
        }
        self.loopExecutors = loopExecutors
    }

    /// The address the transport listens on, once it does.
    ///
    /// - Returns: The bound address (useful when the port was 0).
    /// - Throws: The error that stopped the transport from binding.
    public func listeningAddress() async throws -> SocketAddress {
        try await withCheckedThrowingContinuation { continuation in
            boundAddress.withLock { state in
                switch state {
                case .bound(let address):
                    continuation.resume(returning: address)
                case .failed(let error):
                    continuation.resume(throwing: error)
                case .notBound(var waiters):
                    waiters.append(continuation)
                    state = .notBound(waiters)
                }
            }
        }
    }

    private func setBound(_ result: Result<SocketAddress, any Error>) {
        let waiters = boundAddress.withLock { state -> [CheckedContinuation<SocketAddress, any Error>] in
            guard case .notBound(let waiters) = state else { return [] }
            switch result {
            case .success(let address): state = .bound(address)
            case .failure(let error): state = .failed(error)
            }
            return waiters
        }
        waiters.forEach { $0.resume(with: result) }
    }

    public func listen(streamHandler: @escaping @Sendable (ServerStream) async -> Void) async throws {
        try await listen(traits: { _ in ServerMethodTraits() }, streamHandler: streamHandler)
    }

    public func listen(
        traits: @escaping @Sendable (MethodDescriptor) -> ServerMethodTraits,
        streamHandler: @escaping @Sendable (ServerStream) async -> Void
    ) async throws {
        let serverChannel: NIOAsyncChannel<ConnectionCalls, Never>
        do {
            serverChannel = try await makeBootstrap().bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try self.configureConnection(channel, traits: traits) }
            }
        } catch {
            setBound(.failure(error))
            throw error
        }
        setBound(.success(serverChannel.channel.localAddress!))

        let trimmer = self.trimmer
        try await serverChannel.executeThenClose { connections in
            await withDiscardingTaskGroup { group in
                do {
                    for try await connection in connections {
                        // On the connection's loop, so that a call it reads starts there.
                        group.addTask(executorPreference: connection.loop) {
                            await Self.serve(connection, streamHandler: streamHandler)
                            trimmer.connectionClosed()
                        }
                    }
                } catch {
                    // The listening socket failed; connections already accepted finish on their own.
                }
            }
        }
    }

    public func beginGracefulShutdown() {
        quiescing.initiateShutdown(promise: nil)
    }

    private func makeBootstrap() -> ServerBootstrap {
        let quiescing = self.quiescing
        let configuration = self.configuration
        var bootstrap = ServerBootstrap(group: group)
            // A restarted server is met by every client at once: a queue of 1,024 overflowed
            // with 10,000 workers (the kernel then drops their handshakes' last ACKs, and each
            // client waits out TCP's retransmission timer). The kernel caps it at somaxconn.
            .serverChannelOption(.backlog, value: 8192)
            // Accepts up to 64 per wake-up instead of 4, so the queue drains while loops are busy.
            .serverChannelOption(.maxMessagesPerRead, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handlers = channel.pipeline.syncOperations
                    try handlers.addHandler(quiescing.makeServerChannelHandler(channel: channel))
                    // Out of descriptors, NIO would retry accept in a busy loop.
                    try handlers.addHandler(AcceptPauseHandler())
                }
            }
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 1)
            .childChannelOption(
                .recvAllocator,
                value: AdaptiveRecvByteBufferAllocator(
                    minimum: min(1024, configuration.readSliceSize),
                    initial: configuration.readSliceSize,
                    maximum: configuration.readSliceSize
                )
            )
        if let size = configuration.socketReceiveBufferSize {
            bootstrap = bootstrap.childChannelOption(.socketOption(.so_rcvbuf), value: SocketOptionValue(size))
        }
        return bootstrap
    }

    /// Builds one connection's pipeline; runs on its event loop.
    private func configureConnection(
        _ channel: any Channel,
        traits: @escaping @Sendable (MethodDescriptor) -> ServerMethodTraits
    ) throws -> ConnectionCalls {
        let (calls, continuation) = AsyncStream.makeStream(of: IncomingStream.self)
        ServerConnectionMetrics.opened(channel)
        let handlers = channel.pipeline.syncOperations
        try handlers.addHandler(TLSHandler.server(context: tls))
        try handlers.addHandler(FrameReaderHandler(maxMessageSize: configuration.maxMessageSize))
        try handlers.addHandler(FrameWriterHandler())
        try handlers.addHandler(
            KeepaliveHandler(
                interval: TimeAmount(configuration.keepaliveInterval),
                timeout: TimeAmount(configuration.keepaliveTimeout),
                sendsGoAway: true
            )
        )
        try handlers.addHandler(ServerConnectionHandler(configuration: configuration, traits: traits, incoming: continuation))
        let loop = loopExecutors[ObjectIdentifier(channel.eventLoop)] ?? EventLoopTaskExecutor(eventLoop: channel.eventLoop)
        return ConnectionCalls(calls: calls, loop: loop)
    }

    /// Runs every call of one connection, each in a child task, until the connection ends:
    /// light calls on the connection's loop, the others on the global executor.
    private static func serve(
        _ connection: ConnectionCalls,
        streamHandler: @escaping @Sendable (ServerStream) async -> Void
    ) async {
        await withDiscardingTaskGroup { group in
            for await call in connection.calls {
                group.addTask(executorPreference: call.runsOnConnectionLoop ? connection.loop : globalConcurrentExecutor) {
                    await call.cancellation.run {
                        await streamHandler(call.stream)
                        // A handler that forgot to finish still ends its stream.
                        let status = Status(code: .internal, message: "The handler ended without a status")
                        call.stream.responder.finish(lastMessage: nil, status: status, trailers: [:])
                    }
                }
            }
        }
    }
}
