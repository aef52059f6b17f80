// libFuzzer harness for Ferry's frame decoder (`FrameDecoder`, docs/PROTOCOL.md §3–4).
//
// Input: one control byte, then chunk sizes, then the byte stream a peer would send.
//
//   byte 0      low nibble n = number of chunk-size bytes that follow (0…15);
//               bits 4–6 s = shift applied to every chunk size
//   bytes 1…n   chunk sizes: chunk i is (byte[1 + i % n] + 1) << s bytes
//   the rest    the stream, fed to the decoder in those chunks (n = 0: all at once); after
//               `maxChunks` chunks the remainder goes in one piece, so that one input cannot
//               cost tens of thousands of calls
//
// Properties checked (a violation traps, which libFuzzer reports as a crash):
// - decoding never crashes, leaks or hangs, and the only error it throws is `FrameError`;
// - after every chunk the decoder holds less than one frame (header + the largest payload it
//   accepts) of unprocessed bytes: memory stays bounded whatever the peer sends;
// - an oversized-message marker is only produced for a MESSAGE above the limit;
// - every other frame re-encodes with `FrameEncoder` into bytes that decode to exactly one
//   equal frame, and re-encoding that frame gives the same bytes again;
// - `FrameReaderHandler` (what the pipeline runs), fed the same chunks, passes on exactly the
//   same frames in order, in non-empty batches, and reports an error exactly when the decoder did.
//
// Built only with FERRY_FUZZ set; see Fuzz/README.md. `@testable` reaches the internal frame
// types; SwiftPM compiles debug builds with testability enabled.

@testable import FerryTransport
import NIOCore
import NIOEmbedded

/// The MESSAGE size limit the decoder is built with.
private let maxMessageSize = 1 << 16

/// The most chunks one input is split into; the remainder of the stream follows in one piece.
private let maxChunks = 1024

/// The most bytes an incomplete frame may keep buffered: a header and the largest payload.
private let maxBufferedBytes = FrameLayout.headerSize + max(FrameLayout.maxControlPayload, maxMessageSize)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    FrameFuzzing.run(UnsafeBufferPointer(start: data, count: size))
    return 0
}

enum FrameFuzzing {
    static func run(_ input: UnsafeBufferPointer<UInt8>) {
        let chunks = Self.chunks(of: input)
        var decoded: [Frame] = []
        var failed = false
        let processor = NIOSingleStepByteToMessageProcessor(FrameDecoder(maxMessageSize: maxMessageSize))
        do {
            for chunk in chunks {
                try processor.process(buffer: chunk) { frame in
                    try checkFrame(frame)
                    decoded.append(frame)
                }
                if processor.unprocessedBytes >= maxBufferedBytes {
                    fatalError("The decoder buffers \(processor.unprocessedBytes) bytes after a chunk (limit \(maxBufferedBytes))")
                }
            }
            try processor.finishProcessing(seenEOF: true) { frame in
                try checkFrame(frame)
                decoded.append(frame)
            }
        } catch is FrameError {
            // A protocol error: the connection would be closed. Expected for most inputs.
            failed = true
        } catch {
            fatalError("The frame decoder threw something other than FrameError: \(type(of: error)): \(error)")
        }
        checkReaderHandler(chunks, expected: decoded, failed: failed)
    }

    /// The input's stream cut into the chunks its control bytes describe (see the file header).
    private static func chunks(of input: UnsafeBufferPointer<UInt8>) -> [ByteBuffer] {
        let control = input[0]
        let sizesEnd = min(input.count, 1 + Int(control & 0x0F))
        let shift = Int((control >> 4) & 0x07)
        let chunkSizes = input[1..<sizesEnd].map { (Int($0) + 1) << shift }
        // One buffer; the chunks are slices of it, as a channel's reads would be.
        let stream = ByteBuffer(bytes: UnsafeBufferPointer(rebasing: input[sizesEnd...]))
        var chunks: [ByteBuffer] = []
        var offset = 0
        while offset < stream.readableBytes {
            let remaining = stream.readableBytes - offset
            let length =
                chunkSizes.isEmpty || chunks.count >= maxChunks
                ? remaining : min(chunkSizes[chunks.count % chunkSizes.count], remaining)
            chunks.append(stream.getSlice(at: offset, length: length)!)
            offset += length
        }
        return chunks
    }

    /// The pipeline's `FrameReaderHandler` must pass on exactly the frames the decoder gives,
    /// in order, in non-empty batches, and report the same error (and nothing after it).
    private static func checkReaderHandler(_ chunks: [ByteBuffer], expected: [Frame], failed: Bool) {
        let channel = EmbeddedChannel(handler: FrameReaderHandler(maxMessageSize: maxMessageSize))
        var reported = false
        var received: [Frame] = []
        do {
            for chunk in chunks {
                do {
                    try channel.writeInbound(chunk)
                } catch is FrameError {
                    precondition(!reported, "FrameReaderHandler reported a second error")
                    reported = true
                }
                while let batch = try channel.readInbound(as: [Frame].self) {
                    precondition(!batch.isEmpty, "FrameReaderHandler passed on an empty batch")
                    received += batch
                }
            }
            _ = try channel.finish()
        } catch {
            fatalError("FrameReaderHandler failed with something other than FrameError: \(error)")
        }
        precondition(reported == failed, "FrameReaderHandler error: \(reported), decoder error: \(failed)")
        precondition(received == expected, "FrameReaderHandler passed on \(received.count) frames, the decoder \(expected.count)")
    }

    /// Checks one decoded frame: the round trip through `FrameEncoder` and back.
    static func checkFrame(_ frame: Frame) throws {
        if case .oversizedMessage(_, let length) = frame {
            precondition(length > maxMessageSize, "oversizedMessage of \(length) bytes is within the limit")
            return
        }
        var encoded = ByteBuffer()
        FrameEncoder().encode(frame, into: &encoded)
        let again = decodeSingle(encoded, original: frame)
        precondition(again == frame, "Round trip changed the frame:\n  decoded:    \(frame)\n  re-decoded: \(again)")
        var encodedAgain = ByteBuffer()
        FrameEncoder().encode(again, into: &encodedAgain)
        precondition(
            encodedAgain == encoded,
            "Encoding is not stable:\n  first:  \(encoded.readableBytesView.map { $0 })\n  second: \(encodedAgain.readableBytesView.map { $0 })"
        )
    }

    /// Decodes bytes that must hold exactly one complete, valid frame.
    private static func decodeSingle(_ bytes: ByteBuffer, original: Frame) -> Frame {
        var buffer = bytes
        var decoder = FrameDecoder(maxMessageSize: maxMessageSize)
        let frame: Frame?
        do {
            frame = try decoder.decode(buffer: &buffer)
        } catch {
            fatalError("The encoding of \(original) does not decode: \(error)")
        }
        guard let frame else {
            fatalError("The encoding of \(original) decodes as an incomplete frame")
        }
        precondition(buffer.readableBytes == 0, "\(buffer.readableBytes) bytes left after re-decoding \(original)")
        return frame
    }
}
