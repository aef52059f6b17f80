import FerryRPC
import NIOCore
import NIOEmbedded
import Testing

@testable import FerryTransport

/// `FrameReaderHandler`: however the bytes are cut into reads, every frame comes out once, in
/// order, in batches; an error is passed on after the frames before it, and nothing after it.
@Suite("Frame reader")
struct FrameReaderHandlerTests {
    private func encode(_ frames: [Frame]) -> ByteBuffer {
        var buffer = ByteBuffer()
        for frame in frames {
            FrameEncoder().encode(frame, into: &buffer)
        }
        return buffer
    }

    private func readAll(_ channel: EmbeddedChannel) throws -> [Frame] {
        var frames: [Frame] = []
        while let batch = try channel.readInbound(as: [Frame].self) {
            #expect(!batch.isEmpty)
            frames += batch
        }
        return frames
    }

    @Test("Reads cut at every size deliver every frame, in order", arguments: [1, 3, 7, 64, 4096])
    func splitReads(readSize: Int) throws {
        let frames = FrameCodecTests.everyFrameType + FrameCodecTests.everyFrameType
        let bytes = encode(frames)
        let channel = EmbeddedChannel(handler: FrameReaderHandler(maxMessageSize: 1 << 20))
        var offset = 0
        while offset < bytes.readableBytes {
            let length = min(readSize, bytes.readableBytes - offset)
            try channel.writeInbound(bytes.getSlice(at: offset, length: length)!)
            offset += length
        }
        #expect(try readAll(channel) == frames)
        _ = try channel.finish()
    }

    @Test("One read with many frames makes one batch")
    func coalescedRead() throws {
        let frames = FrameCodecTests.everyFrameType
        let channel = EmbeddedChannel(handler: FrameReaderHandler(maxMessageSize: 1 << 20))
        try channel.writeInbound(encode(frames))
        #expect(try channel.readInbound(as: [Frame].self) == frames)
        #expect(try channel.readInbound(as: [Frame].self) == nil)
        _ = try channel.finish()
    }

    @Test("A malformed frame is reported after the frames before it; later bytes are ignored")
    func errorAfterFrames() throws {
        let good: [Frame] = [.endStream(streamID: 1), .cancel(streamID: 3, code: .cancelled)]
        var bytes = encode(good)
        bytes.writeBytes([0, 0, 0, 0, 0x7F, 0, 0, 0, 0, 1])  // Frame type 0x7F does not exist.
        let channel = EmbeddedChannel(handler: FrameReaderHandler(maxMessageSize: 1 << 20))
        #expect(throws: FrameError.self) { try channel.writeInbound(bytes) }
        #expect(try readAll(channel) == good)
        try channel.writeInbound(encode([.endStream(streamID: 5)]))
        #expect(try readAll(channel).isEmpty)
        _ = try channel.finish()
    }
}
