import FerryRPC
import NIOCore

/// Decodes frames from a byte stream.
///
/// A length above the limit is rejected from the header alone, before any of the body is
/// buffered: control frames above ``FrameLayout/maxControlPayload`` are a connection error, and
/// a MESSAGE above `maxMessageSize` is skipped as it arrives and reported as
/// ``Frame/oversizedMessage(streamID:length:)`` so that only its stream fails.
struct FrameDecoder: NIOSingleStepByteToMessageDecoder {
    typealias InboundOut = Frame

    /// The largest MESSAGE payload accepted.
    let maxMessageSize: Int
    /// Bytes of an oversized message still to be discarded.
    private var bytesToSkip = 0

    init(maxMessageSize: Int) {
        self.maxMessageSize = maxMessageSize
    }

    mutating func decode(buffer: inout ByteBuffer) throws -> Frame? {
        if bytesToSkip > 0 {
            let skipped = min(bytesToSkip, buffer.readableBytes)
            buffer.moveReaderIndex(forwardBy: skipped)
            bytesToSkip -= skipped
            if bytesToSkip > 0 { return nil }
        }
        guard
            let (length, rawType, flags, streamID) = buffer.getMultipleIntegers(
                at: buffer.readerIndex,
                as: (UInt32, UInt8, UInt8, UInt32).self
            )
        else { return nil }

        guard let type = FrameType(rawValue: rawType) else {
            let header = buffer.getBytes(at: buffer.readerIndex, length: FrameLayout.headerSize) ?? []
            throw FrameError(.unknownFrameType, "Unknown frame type 0x\(String(rawType, radix: 16))", rawHeader: header)
        }
        let payloadLength = Int(length)
        if type == .message, payloadLength > maxMessageSize {
            buffer.moveReaderIndex(forwardBy: FrameLayout.headerSize)
            bytesToSkip = payloadLength
            let skipped = min(bytesToSkip, buffer.readableBytes)
            buffer.moveReaderIndex(forwardBy: skipped)
            bytesToSkip -= skipped
            return .oversizedMessage(streamID: streamID, length: payloadLength)
        }
        if type != .message, payloadLength > FrameLayout.maxControlPayload {
            let header = buffer.getBytes(at: buffer.readerIndex, length: FrameLayout.headerSize) ?? []
            throw FrameError(
                .frameTooLarge,
                "A \(type) frame of \(payloadLength) bytes exceeds the \(FrameLayout.maxControlPayload)-byte limit",
                rawHeader: header
            )
        }
        guard buffer.readableBytes >= FrameLayout.headerSize + payloadLength else { return nil }

        buffer.moveReaderIndex(forwardBy: FrameLayout.headerSize)
        var payload = buffer.readSlice(length: payloadLength)!
        let frame = try FramePayloadReader.read(type: type, flags: flags, streamID: streamID, payload: &payload)
        guard payload.readableBytes == 0 else {
            throw FrameError(.malformedPayload, "\(payload.readableBytes) unparsed bytes at the end of a \(type) frame")
        }
        return frame
    }

    mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> Frame? {
        try decode(buffer: &buffer)
    }
}
