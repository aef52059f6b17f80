import FerryRPC
import FerryTLS
import NIOCore
import NIOPosix
import Synchronization

/// One established client connection: a channel whose server has sent its settings.
final class ClientConnection: Sendable {
    let channel: any Channel
    private let handler: NIOLoopBound<ClientConnectionHandler>
    private let outbound: OutboundMessageQueue
    private let streamBufferSize: Int
    private let usable = Atomic<Bool>(true)
    private let serverLimit = Atomic<Int>(0)

    private init(
        channel: any Channel,
        handler: NIOLoopBound<ClientConnectionHandler>,
        outbound: OutboundMessageQueue,
        streamBufferSize: Int
    ) {
        self.channel = channel
        self.handler = handler
        self.outbound = outbound
        self.streamBufferSize = streamBufferSize
    }

    /// The largest request message the server accepts (its SETTINGS `MAX_MESSAGE_SIZE`).
    var serverMaxMessageSize: Int { serverLimit.load(ordering: .relaxed) }

    /// Whether new calls may use this connection (no GOAWAY received, not closed).
    var isUsable: Bool { usable.load(ordering: .acquiring) }

    /// Connects, completes the TLS handshake and waits for the server's settings.
    ///
    /// - Throws: The connect, TLS or protocol error, wrapped as `UNAVAILABLE`.
    static func connect(
        to address: SocketAddress,
        serverHostname: String,
        tls: TLSContext,
        configuration: ClientTransportConfiguration,
        group: any EventLoopGroup
    ) async throws -> ClientConnection {
        // The handler and its ready future are taken in the initializer: looked up afterwards, a
        // handshake that failed fast would already have torn the pipeline down, hiding its reason.
        var bootstrap = ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
        if let size = configuration.socketSendBufferSize {
            bootstrap = bootstrap.channelOption(.socketOption(.so_sndbuf), value: SocketOptionValue(size))
        }
        if let source = configuration.sourceAddress {
            bootstrap = bootstrap.bind(to: source)
        }
        let (channel, handler, outbound, ready) = try await bootstrap
            .connectTimeout(TimeAmount(configuration.connectTimeout))
            .connect(to: address) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handlers = channel.pipeline.syncOperations
                    try handlers.addHandler(TLSHandler.client(context: tls, serverHostname: serverHostname))
                    try handlers.addHandler(FrameReaderHandler(maxMessageSize: configuration.maxMessageSize))
                    try handlers.addHandler(FrameWriterHandler())
                    try handlers.addHandler(
                        KeepaliveHandler(
                            interval: TimeAmount(configuration.keepaliveInterval),
                            timeout: TimeAmount(configuration.keepaliveTimeout),
                            sendsGoAway: false
                        )
                    )
                    let handler = ClientConnectionHandler(configuration: configuration)
                    try handlers.addHandler(handler)
                    return (channel, NIOLoopBound(handler, eventLoop: channel.eventLoop), handler.outbound!, handler.ready!)
                }
            }
        let connection = ClientConnection(
            channel: channel,
            handler: handler,
            outbound: outbound,
            streamBufferSize: configuration.streamBufferSize
        )
        channel.eventLoop.execute {
            handler.value.onUnusable = { connection.usable.store(false, ordering: .releasing) }
        }
        let timeout = channel.eventLoop.scheduleTask(in: TimeAmount(configuration.connectTimeout)) {
            channel.close(promise: nil)
        }
        defer { timeout.cancel() }
        do {
            try await ready.get()
            let limit = try await channel.eventLoop.submit { handler.value.serverMaxMessageSize }.get()
            connection.serverLimit.store(limit, ordering: .relaxed)
        } catch {
            channel.close(promise: nil)
            throw error
        }
        return connection
    }

    /// Opens a call on this connection. A streaming call waits until the loop has opened it. A
    /// call with `onlyRequest` (sent with its headers, ending its requests) gets its stream at
    /// once: the opening is queued to the loop, behind nothing the caller waits for, and a
    /// failure to open ends the stream's responses with its status. While the server's stream
    /// limit holds a call back, its deadline runs and cancelling it ends the wait (`CANCELLED`).
    ///
    /// - Throws: ``RPCError`` `RESOURCE_EXHAUSTED` when `onlyRequest` is larger than the server
    ///   accepts; `UNAVAILABLE` when a streaming call cannot be opened; `CANCELLED` when a
    ///   streaming call's task is cancelled before it opened.
    func openStream(descriptor: MethodDescriptor, options: CallOptions, onlyRequest: [UInt8]?) async throws -> FramedClientStream {
        let number = StreamNumber()
        let handler = self.handler
        guard let onlyRequest else {
            let promise = channel.eventLoop.makePromise(of: FramedClientStream.self)
            let request = open(descriptor, options, number: number, onlyRequest: nil, reply: .promise(promise))
            handler.eventLoop.execute {
                handler.value.openStream(request)
            }
            return try await withTaskCancellationHandler {
                try await promise.futureResult.get()
            } onCancel: {
                // Queued on the loop behind the opening above, so it finds the call queued or open.
                handler.eventLoop.execute {
                    handler.value.abandonQueuedOpen(number, status: Status(code: .cancelled, message: "The call was cancelled"))
                }
            }
        }
        guard onlyRequest.count <= serverMaxMessageSize else {
            throw RPCError.requestTooLarge(onlyRequest.count, limit: serverMaxMessageSize)
        }
        let (source, stream) = FramedClientStream.make(
            number: number,
            handler: handler,
            outbound: outbound,
            bufferSize: streamBufferSize,
            maxMessageSize: serverMaxMessageSize
        )
        let request = open(descriptor, options, number: number, onlyRequest: onlyRequest, reply: .call(source: source, stream: stream))
        // Through the queue, so that a cancel the caller queues later finds the opening done or queued.
        let queued = outbound.enqueue {
            handler.value.openStream(request)
        }
        if !queued {
            request.reply.fail(with: RPCError(code: .unavailable, message: "The connection is closed"))
        }
        return stream
    }

    private func open(
        _ descriptor: MethodDescriptor,
        _ options: CallOptions,
        number: StreamNumber,
        onlyRequest: [UInt8]?,
        reply: ClientConnectionHandler.OpenReply
    ) -> ClientConnectionHandler.OpenRequest {
        ClientConnectionHandler.OpenRequest(
            path: descriptor.path,
            deadline: options.timeout.map { .now() + TimeAmount($0) },
            metadata: options.metadata,
            onlyRequest: onlyRequest,
            number: number,
            reply: reply
        )
    }

    /// Closes the connection; its calls fail with `UNAVAILABLE`.
    func close() async {
        usable.store(false, ordering: .releasing)
        try? await channel.close()
    }
}
