import NIOCore

/// Decodes the frames in each read and passes them on together, as one `[Frame]`.
///
/// One read of a busy connection holds dozens of small frames. Passed on one at a time, each
/// would be boxed into its own `NIOAny`, cast back twice and walked through every handler above;
/// as a batch the pipeline is walked once per read and the handlers loop over plain values.
///
/// Bytes of an incomplete frame are kept for the next read. A decoding error is passed on
/// (`errorCaught`) after the frames decoded before it, and everything after it is ignored: the
/// connection handler closes the connection. Frames reach the next handler in order even if it
/// causes a read while it handles a batch: bytes that arrive meanwhile are decoded afterwards.
final class FrameReaderHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = [Frame]

    private var decoder: FrameDecoder
    /// Received bytes not decoded yet: a partial frame, or bytes that came in during a delivery.
    private var buffered: ByteBuffer?
    private var delivering = false
    private var failed = false

    init(maxMessageSize: Int) {
        self.decoder = FrameDecoder(maxMessageSize: maxMessageSize)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed else { return }
        append(unwrapInboundIn(data))
        guard !delivering else { return }  // The delivery in progress decodes these bytes next.
        delivering = true
        defer { delivering = false }
        while !failed, var bytes = buffered.take() {
            var frames: [Frame] = []
            var failure: (any Error)?
            do {
                while let frame = try decoder.decode(buffer: &bytes) {
                    frames.append(frame)
                }
            } catch {
                failure = error
            }
            if bytes.readableBytes > 0, failure == nil {
                buffered = bytes
            }
            if !frames.isEmpty {
                context.fireChannelRead(wrapInboundOut(frames))
            }
            if let failure {
                failed = true
                buffered = nil
                context.fireErrorCaught(failure)
                return
            }
            // Go round again only if more bytes arrived while the frames were handled.
            guard let pending = buffered, pending.readableBytes > bytes.readableBytes else { return }
        }
    }

    private func append(_ incoming: ByteBuffer) {
        guard var existing = buffered.take() else {
            buffered = incoming
            return
        }
        // What is kept is a partial frame; moving it to the front bounds the buffer's growth.
        existing.discardReadBytes()
        var incoming = incoming
        existing.writeBuffer(&incoming)
        buffered = existing
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        buffered = nil
    }
}

@available(*, unavailable)
extension FrameReaderHandler: Sendable {}
