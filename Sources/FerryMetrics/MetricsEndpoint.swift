public import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
public import ServiceLifecycle

/// Serves `GET /metrics` (Prometheus text format) over plain HTTP/1.1 on a listener of its own,
/// apart from the TLS RPC port: scrapers speak HTTP, and the metrics carry no storage or job ids.
/// Bind it to loopback or a private interface.
public struct MetricsEndpoint: Service {
    let host: String
    let port: Int
    let logger: Logger
    let exposition: @Sendable () -> [UInt8]

    /// Creates the endpoint; ``run()`` listens.
    ///
    /// - Parameters:
    ///   - host: The address to bind.
    ///   - port: The port; 0 for any free one (logged).
    ///   - logger: Where "metrics listening" goes.
    ///   - exposition: The page to serve.
    public init(host: String, port: Int, logger: Logger, exposition: @escaping @Sendable () -> [UInt8] = MetricsBackend.exposition) {
        self.host = host
        self.port = port
        self.logger = logger
        self.exposition = exposition
    }

    /// Listens until graceful shutdown or cancellation.
    ///
    /// - Throws: When the address cannot be bound.
    public func run() async throws {
        let exposition = self.exposition
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(MetricsRequestHandler(exposition: exposition))
                }
            }
            .bind(host: host, port: port)
            .get()
        logger.info(
            "metrics listening",
            metadata: ["host": "\(host)", "port": "\(channel.localAddress?.port ?? port)", "path": "/metrics"])
        try? await gracefulShutdown()
        try? await channel.close()
    }
}

/// Answers one HTTP request at a time: `GET /metrics` with the exposition, other paths 404,
/// other methods 405.
final class MetricsRequestHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let exposition: @Sendable () -> [UInt8]
    private var request: HTTPRequestHead?

    init(exposition: @escaping @Sendable () -> [UInt8]) {
        self.exposition = exposition
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): request = head
        case .body: break
        case .end:
            guard let head = request else { return }
            request = nil
            respond(to: head, context: context)
        }
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        let (status, contentType, body): (HTTPResponseStatus, String, [UInt8])
        if path != "/metrics" {
            (status, contentType, body) = (.notFound, "text/plain; charset=utf-8", Array("Not found: try /metrics\n".utf8))
        } else if head.method != .GET && head.method != .HEAD {
            (status, contentType, body) = (.methodNotAllowed, "text/plain; charset=utf-8", Array("Use GET\n".utf8))
        } else {
            (status, contentType, body) = (.ok, "text/plain; version=0.0.4; charset=utf-8", exposition())
        }
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: contentType)
        headers.add(name: "content-length", value: "\(body.count)")
        if status == .methodNotAllowed { headers.add(name: "allow", value: "GET, HEAD") }
        let keepAlive = head.isKeepAlive
        if !keepAlive { headers.add(name: "connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        if head.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
