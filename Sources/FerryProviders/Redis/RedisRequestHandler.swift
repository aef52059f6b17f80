import NIOCore
import Synchronization

/// Matches replies to the requests that asked for them, in order.
///
/// Each outbound request carries its promise; the handler queues the promise and passes the
/// command on to the encoder, so a connection can carry many commands before their replies
/// come (pipelining), and replies, which Redis sends in command order, complete the queue from
/// its head. Any error in the pipeline (a malformed reply, a TLS failure, a timeout fired by
/// ``RedisConnection``) and the end of the connection fail every request still waiting, and
/// the connection is closed; a request written after that fails at once.
final class RedisRequestHandler: ChannelDuplexHandler {
    typealias InboundIn = RESPValue
    typealias OutboundIn = RedisRequest
    typealias OutboundOut = RedisCommand

    private var waiting = CircularBuffer<EventLoopPromise<RESPValue>>()
    /// Why the connection can carry no more requests, once it cannot.
    private let failure: RedisConnectionFailure

    /// Creates a handler.
    ///
    /// - Parameter failure: Where the first error that ends the connection is recorded.
    init(failure: RedisConnectionFailure = RedisConnectionFailure()) {
        self.failure = failure
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        if let failure = failure.error {
            request.reply.fail(failure)
            promise?.fail(failure)
            return
        }
        waiting.append(request.reply)
        context.write(wrapOutboundOut(request.command), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let reply = unwrapInboundIn(data)
        guard let request = waiting.popFirst() else {
            fail(context: context, RedisConnectionError.unexpectedReply)
            return
        }
        request.succeed(reply)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(context: context, error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(context: context, RedisConnectionError.closed)
        context.fireChannelInactive()
    }

    /// Fails every waiting request with the first error seen, and closes the connection.
    private func fail(context: ChannelHandlerContext, _ error: any Error) {
        let reason = failure.record(error)
        while let request = waiting.popFirst() {
            request.fail(reason)
        }
        context.close(promise: nil)
    }
}

/// Why a connection ended, readable from any thread. The request handler records the first
/// error; a command written after the channel has closed (and its handlers are gone) fails with
/// that error rather than NIO's "I/O on closed channel".
final class RedisConnectionFailure: Sendable {
    private let first = Mutex<(any Error)?>(nil)

    /// Creates an empty record.
    init() {}

    /// The first error recorded, if any.
    var error: (any Error)? {
        first.withLock { $0 }
    }

    /// Records `error` unless an error was recorded before.
    ///
    /// - Returns: The first error recorded.
    @discardableResult
    func record(_ error: any Error) -> any Error {
        first.withLock { recorded in
            if let recorded { return recorded }
            recorded = error
            return error
        }
    }
}

/// A command on its way out, with the promise its reply completes.
struct RedisRequest: Sendable {
    /// The command.
    var command: RedisCommand
    /// Completed with the reply, or failed with the connection's error.
    var reply: EventLoopPromise<RESPValue>
}

/// Why a connection failed a request without a reply from the server.
enum RedisConnectionError: Error, Sendable, CustomStringConvertible {
    /// The server closed the connection, or it was lost.
    case closed
    /// A reply came when no request was waiting.
    case unexpectedReply
    /// No reply came within the command timeout.
    case timedOut(TimeAmount)

    var description: String {
        switch self {
        case .closed: "the connection was closed"
        case .unexpectedReply: "the server sent a reply nobody asked for"
        case .timedOut(let timeout): "no reply within \(Double(timeout.nanoseconds) / 1e9) s"
        }
    }
}
