import FerryRPC
import NIOCore

/// One frame of Ferry's wire protocol (see `docs/PROTOCOL.md`).
///
/// Every frame is a 10-byte header (`length` u32, `type` u8, `flags` u8, `stream_id` u32, all big
/// endian) followed by `length` payload bytes whose layout depends on the type.
enum Frame: Sendable, Hashable {
    /// Connection settings; the first frame each side sends.
    case settings(FrameSettings)
    /// Opens a stream: the method path, a relative timeout and request metadata.
    case requestHeaders(streamID: UInt32, path: String, timeout: Duration?, metadata: Metadata)
    /// Initial response metadata.
    case responseHeaders(streamID: UInt32, metadata: Metadata)
    /// One message.
    case message(streamID: UInt32, payload: ByteBuffer)
    /// The client's half-close.
    case endStream(streamID: UInt32)
    /// The end of a stream: status and trailing metadata.
    case trailers(streamID: UInt32, status: Status, metadata: Metadata)
    /// The client abandons a stream.
    case cancel(streamID: UInt32, code: Status.Code)
    /// A keepalive probe (or its acknowledgement).
    case ping(data: UInt64, ack: Bool)
    /// The server is closing: streams above `lastStreamID` were not and will not be served.
    case goAway(lastStreamID: UInt32, error: GoAwayError, debug: String)
    /// Produced by the decoder, never sent: a MESSAGE whose payload exceeded the limit and was discarded.
    case oversizedMessage(streamID: UInt32, length: Int)

    /// The stream a frame belongs to; 0 for connection frames.
    var streamID: UInt32 {
        switch self {
        case .settings, .ping, .goAway:
            return 0
        case .requestHeaders(let id, _, _, _), .responseHeaders(let id, _), .message(let id, _),
            .endStream(let id), .trailers(let id, _, _), .cancel(let id, _), .oversizedMessage(let id, _):
            return id
        }
    }

    /// Whether this is a PING or its acknowledgement (answered by the keepalive handler).
    var isPing: Bool {
        if case .ping = self { return true }
        return false
    }
}

/// The frame type byte.
enum FrameType: UInt8 {
    case settings = 0x00
    case requestHeaders = 0x01
    case responseHeaders = 0x02
    case message = 0x03
    case endStream = 0x04
    case trailers = 0x05
    case cancel = 0x06
    case ping = 0x07
    case goAway = 0x08
}

/// Frame header constants and limits.
enum FrameLayout {
    /// Bytes in a frame header.
    static let headerSize = 10
    /// The largest payload of any frame other than MESSAGE.
    static let maxControlPayload = 65_536
    /// The PING flag that marks an acknowledgement.
    static let pingAckFlag: UInt8 = 0x01
}

/// Settings each side announces in its first frame.
struct FrameSettings: Sendable, Hashable {
    /// How many streams the sender lets its peer have open at once.
    var maxConcurrentStreams: UInt32?
    /// The largest MESSAGE payload the sender accepts.
    var maxMessageSize: UInt32?

    static let maxConcurrentStreamsID: UInt16 = 0x0001
    static let maxMessageSizeID: UInt16 = 0x0002
    /// The `MAX_MESSAGE_SIZE` a side assumes until its peer's SETTINGS says otherwise.
    static let defaultMaxMessageSize = 4 * 1024 * 1024
}

/// The error code of a GOAWAY frame.
struct GoAwayError: Sendable, Hashable, CustomStringConvertible {
    let rawValue: UInt32

    /// Graceful shutdown.
    static let noError = GoAwayError(rawValue: 0)
    /// The peer broke the protocol.
    static let protocolError = GoAwayError(rawValue: 1)
    /// The sender failed internally.
    static let internalError = GoAwayError(rawValue: 2)
    /// A frame exceeded a size limit.
    static let frameSizeError = GoAwayError(rawValue: 3)
    /// The peer opened too many streams or otherwise abused the connection.
    static let enhanceYourCalm = GoAwayError(rawValue: 4)
    /// The peer did not answer a keepalive ping in time.
    static let keepaliveTimeout = GoAwayError(rawValue: 5)

    var description: String {
        let names = ["NO_ERROR", "PROTOCOL_ERROR", "INTERNAL_ERROR", "FRAME_SIZE_ERROR", "ENHANCE_YOUR_CALM",
                     "KEEPALIVE_TIMEOUT"]
        return rawValue < names.count ? names[Int(rawValue)] : "UNKNOWN(\(rawValue))"
    }
}
