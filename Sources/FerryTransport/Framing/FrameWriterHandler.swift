import NIOCore

/// Encodes outbound frames and coalesces them: all frames written between two flushes leave as
/// one buffer, so that TLS encrypts them into as few records as possible.
final class FrameWriterHandler: ChannelOutboundHandler {
    typealias OutboundIn = Frame
    typealias OutboundOut = ByteBuffer

    /// A scratch buffer that grew past this is dropped after use rather than kept per connection.
    private static let scratchCap = 65_536

    private let encoder = FrameEncoder()
    private var pending: ByteBuffer?
    private var promises: [EventLoopPromise<Void>] = []

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        // Take the buffer out so it stays uniquely referenced: appending to a shared copy would
        // copy everything written since the last flush, for every frame.
        var buffer = pending.take() ?? context.channel.allocator.buffer(capacity: 256)
        encoder.encode(unwrapOutboundIn(data), into: &buffer)
        pending = buffer
        if let promise {
            promises.append(promise)
        }
    }

    func flush(context: ChannelHandlerContext) {
        guard let buffer = pending, buffer.readableBytes > 0 else {
            context.flush()
            return
        }
        pending = nil
        let promise: EventLoopPromise<Void>?
        switch promises.count {
        case 0:
            promise = nil
        case 1:
            promise = promises[0]
        default:
            let combined = context.eventLoop.makePromise(of: Void.self)
            for waiting in promises {
                combined.futureResult.cascade(to: waiting)
            }
            promise = combined
        }
        promises.removeAll(keepingCapacity: promises.capacity <= 16)
        context.writeAndFlush(wrapOutboundOut(buffer), promise: promise)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        for promise in promises {
            promise.fail(ChannelError.ioOnClosedChannel)
        }
        promises.removeAll()
        pending = nil
    }
}

@available(*, unavailable)
extension FrameWriterHandler: Sendable {}
