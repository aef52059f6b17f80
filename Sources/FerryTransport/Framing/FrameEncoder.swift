import FerryRPC
import NIOCore

/// Encodes frames into a buffer; a plain value usable inside or outside a pipeline.
struct FrameEncoder {
    /// Appends one frame to `buffer`.
    ///
    /// - Precondition: `frame` is not ``Frame/oversizedMessage(streamID:length:)``, which only the decoder makes.
    func encode(_ frame: Frame, into buffer: inout ByteBuffer) {
        switch frame {
        case .settings(let settings):
            var entries: [(UInt16, UInt32)] = []
            if let value = settings.maxConcurrentStreams { entries.append((FrameSettings.maxConcurrentStreamsID, value)) }
            if let value = settings.maxMessageSize { entries.append((FrameSettings.maxMessageSizeID, value)) }
            writeHeader(into: &buffer, length: entries.count * 6, type: .settings, streamID: 0)
            for (id, value) in entries {
                buffer.writeMultipleIntegers(id, value)
            }
        case .requestHeaders(let streamID, let path, let timeout, let metadata):
            let length = 2 + path.utf8.count + 8 + Self.size(of: metadata)
            writeHeader(into: &buffer, length: length, type: .requestHeaders, streamID: streamID)
            buffer.writeInteger(UInt16(path.utf8.count))
            buffer.writeString(path)
            buffer.writeInteger(Self.microseconds(timeout))
            Self.write(metadata, into: &buffer)
        case .responseHeaders(let streamID, let metadata):
            writeHeader(into: &buffer, length: Self.size(of: metadata), type: .responseHeaders, streamID: streamID)
            Self.write(metadata, into: &buffer)
        case .message(let streamID, let payload):
            writeHeader(into: &buffer, length: payload.readableBytes, type: .message, streamID: streamID)
            buffer.writeImmutableBuffer(payload)
        case .endStream(let streamID):
            writeHeader(into: &buffer, length: 0, type: .endStream, streamID: streamID)
        case .trailers(let streamID, let status, let metadata):
            let length = 8 + status.message.utf8.count + Self.size(of: metadata)
            writeHeader(into: &buffer, length: length, type: .trailers, streamID: streamID)
            buffer.writeMultipleIntegers(status.code.rawValue, UInt32(status.message.utf8.count))
            buffer.writeString(status.message)
            Self.write(metadata, into: &buffer)
        case .cancel(let streamID, let code):
            writeHeader(into: &buffer, length: 4, type: .cancel, streamID: streamID)
            buffer.writeInteger(code.rawValue)
        case .ping(let data, let ack):
            writeHeader(into: &buffer, length: 8, type: .ping, flags: ack ? FrameLayout.pingAckFlag : 0, streamID: 0)
            buffer.writeInteger(data)
        case .goAway(let lastStreamID, let error, let debug):
            writeHeader(into: &buffer, length: 12 + debug.utf8.count, type: .goAway, streamID: 0)
            buffer.writeMultipleIntegers(lastStreamID, error.rawValue, UInt32(debug.utf8.count))
            buffer.writeString(debug)
        case .oversizedMessage:
            preconditionFailure("an oversized-message marker is never encoded")
        }
    }

    private func writeHeader(into buffer: inout ByteBuffer, length: Int, type: FrameType, flags: UInt8 = 0, streamID: UInt32) {
        buffer.reserveCapacity(minimumWritableBytes: FrameLayout.headerSize + length)
        buffer.writeMultipleIntegers(UInt32(length), type.rawValue, flags, streamID)
    }

    private static func microseconds(_ timeout: Duration?) -> UInt64 {
        guard let timeout else { return 0 }
        let (seconds, attoseconds) = timeout.components
        let micros = seconds.multipliedReportingOverflow(by: 1_000_000)
        guard !micros.overflow else { return UInt64.max }
        // A zero timeout would mean "none" on the wire; the smallest real timeout is 1 µs.
        return UInt64(clamping: max(1, micros.partialValue + attoseconds / 1_000_000_000_000))
    }

    private static func size(of metadata: Metadata) -> Int {
        metadata.reduce(2) { $0 + 2 + $1.key.utf8.count + 4 + $1.value.utf8.count }
    }

    private static func write(_ metadata: Metadata, into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt16(metadata.count))
        for entry in metadata {
            buffer.writeInteger(UInt16(entry.key.utf8.count))
            buffer.writeString(entry.key)
            buffer.writeInteger(UInt32(entry.value.utf8.count))
            buffer.writeString(entry.value)
        }
    }
}
