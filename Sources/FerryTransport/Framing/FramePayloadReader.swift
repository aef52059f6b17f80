import FerryRPC
import NIOCore

/// Parses the payload of one frame whose header has been read.
enum FramePayloadReader {
    static func read(type: FrameType, flags: UInt8, streamID: UInt32, payload: inout ByteBuffer) throws -> Frame {
        switch type {
        case .settings, .ping, .goAway:
            guard streamID == 0 else { throw FrameError(.invalidStreamID, "A \(type) frame must use stream 0") }
        default:
            guard streamID != 0 else { throw FrameError(.invalidStreamID, "A \(type) frame cannot use stream 0") }
        }

        switch type {
        case .settings:
            return .settings(try readSettings(&payload))
        case .requestHeaders:
            let pathLength = try readInteger(&payload, as: UInt16.self)
            let path = try readString(&payload, length: Int(pathLength))
            let timeoutMicros = try readInteger(&payload, as: UInt64.self)
            let timeout: Duration? = timeoutMicros == 0 ? nil : .microseconds(Int64(clamping: timeoutMicros))
            return .requestHeaders(streamID: streamID, path: path, timeout: timeout, metadata: try readMetadata(&payload))
        case .responseHeaders:
            return .responseHeaders(streamID: streamID, metadata: try readMetadata(&payload))
        case .message:
            let body = payload.readSlice(length: payload.readableBytes)!
            return .message(streamID: streamID, payload: body)
        case .endStream:
            return .endStream(streamID: streamID)
        case .trailers:
            let code = try readInteger(&payload, as: UInt32.self)
            let messageLength = try readInteger(&payload, as: UInt32.self)
            let message = try readString(&payload, length: Int(messageLength))
            let status = Status(code: Status.Code(rawValue: code), message: message)
            return .trailers(streamID: streamID, status: status, metadata: try readMetadata(&payload))
        case .cancel:
            let code = try readInteger(&payload, as: UInt32.self)
            return .cancel(streamID: streamID, code: Status.Code(rawValue: code))
        case .ping:
            guard payload.readableBytes == 8 else {
                throw FrameError(.malformedPayload, "A PING payload must be 8 bytes, not \(payload.readableBytes)")
            }
            let data = try readInteger(&payload, as: UInt64.self)
            return .ping(data: data, ack: flags & FrameLayout.pingAckFlag != 0)
        case .goAway:
            let lastStreamID = try readInteger(&payload, as: UInt32.self)
            let error = try readInteger(&payload, as: UInt32.self)
            let debugLength = try readInteger(&payload, as: UInt32.self)
            let debug = try readString(&payload, length: Int(debugLength))
            return .goAway(lastStreamID: lastStreamID, error: GoAwayError(rawValue: error), debug: debug)
        }
    }

    private static func readSettings(_ payload: inout ByteBuffer) throws -> FrameSettings {
        guard payload.readableBytes % 6 == 0 else {
            throw FrameError(.malformedPayload, "A SETTINGS payload must be a multiple of 6 bytes")
        }
        var settings = FrameSettings()
        while let (id, value) = payload.readMultipleIntegers(as: (UInt16, UInt32).self) {
            switch id {
            case FrameSettings.maxConcurrentStreamsID:
                settings.maxConcurrentStreams = value
            case FrameSettings.maxMessageSizeID:
                settings.maxMessageSize = value
            default:
                continue  // Unknown settings are ignored, so later versions can add some.
            }
        }
        return settings
    }

    private static func readMetadata(_ payload: inout ByteBuffer) throws -> Metadata {
        let count = try readInteger(&payload, as: UInt16.self)
        var metadata = Metadata()
        for _ in 0..<count {
            let keyLength = try readInteger(&payload, as: UInt16.self)
            let key = try readString(&payload, length: Int(keyLength))
            guard Metadata.isValidKey(key) else {
                throw FrameError(.malformedPayload, "Invalid metadata key")
            }
            let valueLength = try readInteger(&payload, as: UInt32.self)
            metadata.add(try readString(&payload, length: Int(valueLength)), forKey: key)
        }
        return metadata
    }

    private static func readInteger<T: FixedWidthInteger>(_ payload: inout ByteBuffer, as: T.Type) throws -> T {
        guard let value = payload.readInteger(as: T.self) else {
            throw FrameError(.malformedPayload, "A frame payload ended early")
        }
        return value
    }

    private static func readString(_ payload: inout ByteBuffer, length: Int) throws -> String {
        guard length <= payload.readableBytes, let bytes = payload.readBytes(length: length) else {
            throw FrameError(.malformedPayload, "A length runs past the end of the frame payload")
        }
        guard let string = String(validating: bytes, as: UTF8.self) else {
            throw FrameError(.malformedPayload, "A string is not valid UTF-8")
        }
        return string
    }
}
