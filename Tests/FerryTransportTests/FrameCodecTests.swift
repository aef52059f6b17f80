import FerryRPC
import NIOCore
import NIOTestUtils
import Testing

@testable import FerryTransport

@Suite("Frame codec")
struct FrameCodecTests {
    static let everyFrameType: [Frame] = [
        .settings(FrameSettings(maxConcurrentStreams: 100, maxMessageSize: 4_194_304)),
        .settings(FrameSettings()),
        .requestHeaders(
            streamID: 1, path: "ferry.v1.Health/Check", timeout: .seconds(5),
            metadata: ["authorization": "Bearer dev-token", "x-trace": "ünïcode"]),
        .requestHeaders(streamID: 3, path: "a.B/C", timeout: nil, metadata: [:]),
        .responseHeaders(streamID: 1, metadata: ["x-served-by": "ferryd"]),
        .message(streamID: 1, payload: ByteBuffer(bytes: [0x08, 0x02])),
        .message(streamID: 5, payload: ByteBuffer()),
        .endStream(streamID: 1),
        .trailers(streamID: 1, status: .ok, metadata: [:]),
        .trailers(streamID: 7, status: Status(code: .notFound, message: "no such storage"), metadata: ["k": "v"]),
        .cancel(streamID: 9, code: .deadlineExceeded),
        .ping(data: 0x0102_0304_0506_0708, ack: false),
        .ping(data: 42, ack: true),
        .goAway(lastStreamID: 11, error: .noError, debug: "shutting down"),
    ]

    private func encode(_ frames: [Frame]) -> ByteBuffer {
        var buffer = ByteBuffer()
        for frame in frames {
            FrameEncoder().encode(frame, into: &buffer)
        }
        return buffer
    }

    @Test("Every frame type round-trips through split and coalesced reads")
    func verifierRoundTrips() throws {
        let pairs = Self.everyFrameType.map { frame in (encode([frame]), [frame]) }
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) {
            FrameDecoder(maxMessageSize: 1 << 20)
        }
    }

    @Test("The encoding of a unary request matches the bytes in PROTOCOL.md")
    func knownBytes() {
        let bytes = encode([.endStream(streamID: 1), .cancel(streamID: 3, code: .cancelled)])
        #expect(Array(bytes.readableBytesView) == [
            0, 0, 0, 0, 0x04, 0, 0, 0, 0, 1,
            0, 0, 0, 4, 0x06, 0, 0, 0, 0, 3, 0, 0, 0, 1,
        ])
    }

    private func decodeError(_ bytes: [UInt8], maxMessageSize: Int = 1 << 20) -> FrameError? {
        let processor = NIOSingleStepByteToMessageProcessor(FrameDecoder(maxMessageSize: maxMessageSize))
        var error: FrameError?
        do {
            try processor.process(buffer: ByteBuffer(bytes: bytes)) { _ in }
        } catch let frameError as FrameError {
            error = frameError
        } catch {
            Issue.record("Unexpected error \(error)")
        }
        return error
    }

    @Test("An unknown frame type is an error carrying the raw header")
    func unknownType() {
        let header: [UInt8] = [0, 0, 0, 0, 0x7F, 0, 0, 0, 0, 1]
        let error = decodeError(header)
        #expect(error?.code == .unknownFrameType)
        #expect(error?.rawHeader == header)
    }

    @Test("An over-limit control frame is refused from its header alone, with no body sent")
    func oversizedControlFrame() {
        let error = decodeError([0x7F, 0xFF, 0xFF, 0xFF, 0x01, 0, 0, 0, 0, 1])
        #expect(error?.code == .frameTooLarge)
    }

    @Test("A frame with bytes its type does not parse is malformed")
    func trailingBytes() {
        #expect(decodeError([0, 0, 0, 2, 0x04, 0, 0, 0, 0, 1, 0xAA, 0xBB])?.code == .malformedPayload)
    }

    @Test("A string length past the end of the payload is malformed")
    func truncatedString() {
        #expect(decodeError([0, 0, 0, 3, 0x01, 0, 0, 0, 0, 1, 0x00, 0x09, 0x41])?.code == .malformedPayload)
    }

    @Test("A PING of the wrong size is malformed")
    func badPing() {
        #expect(decodeError([0, 0, 0, 4, 0x07, 0, 0, 0, 0, 0, 1, 2, 3, 4])?.code == .malformedPayload)
    }

    @Test("Connection frames on a stream, and stream frames on stream 0, are refused")
    func streamIDRules() {
        #expect(decodeError([0, 0, 0, 0, 0x00, 0, 0, 0, 0, 1])?.code == .invalidStreamID)
        #expect(decodeError([0, 0, 0, 0, 0x04, 0, 0, 0, 0, 0])?.code == .invalidStreamID)
    }

    @Test("Invalid UTF-8 and invalid metadata keys are malformed")
    func badStrings() {
        // REQUEST_HEADERS, path of 1 byte 0xFF.
        let badPath: [UInt8] = [0, 0, 0, 13, 0x01, 0, 0, 0, 0, 1, 0, 1, 0xFF] + [UInt8](repeating: 0, count: 10)
        #expect(decodeError(badPath)?.code == .malformedPayload)
        var buffer = ByteBuffer()
        FrameEncoder().encode(.responseHeaders(streamID: 1, metadata: ["Upper": "x"]), into: &buffer)
        var bytes = Array(buffer.readableBytesView)
        bytes[14] = UInt8(ascii: "U")  // Encoding lower-cased the key; put the capital back.
        #expect(decodeError(bytes)?.code == .malformedPayload)
    }

    @Test("An oversized MESSAGE is skipped as it arrives and the next frame decodes")
    func oversizedMessageIsSkipped() throws {
        var input = ByteBuffer()
        input.writeMultipleIntegers(UInt32(5000), FrameType.message.rawValue, UInt8(0), UInt32(3))
        input.writeRepeatingByte(0xEE, count: 5000)
        FrameEncoder().encode(.endStream(streamID: 3), into: &input)
        let processor = NIOSingleStepByteToMessageProcessor(FrameDecoder(maxMessageSize: 1024))
        var frames: [Frame] = []
        // Feed in small pieces, as a slow network would.
        while input.readableBytes > 0 {
            let piece = input.readSlice(length: min(700, input.readableBytes))!
            try processor.process(buffer: piece) { frames.append($0) }
        }
        #expect(frames == [.oversizedMessage(streamID: 3, length: 5000), .endStream(streamID: 3)])
    }

    @Test("A timeout is carried in microseconds; zero means none")
    func timeoutEncoding() throws {
        let frame = Frame.requestHeaders(streamID: 1, path: "a.B/C", timeout: .milliseconds(1500), metadata: [:])
        var buffer = encode([frame])
        #expect(buffer.getInteger(at: 10 + 2 + 5, as: UInt64.self) == 1_500_000)
        var decoder = FrameDecoder(maxMessageSize: 1024)
        #expect(try decoder.decode(buffer: &buffer) == frame)
    }
}
