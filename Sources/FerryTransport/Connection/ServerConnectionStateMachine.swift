import FerryRPC

/// The protocol rules of one server-side connection, as a value type that returns actions.
///
/// It decides what every inbound frame means (open a stream, deliver a message, refuse,
/// ignore, or fail the connection) without doing any I/O, so it is tested without a channel.
struct ServerConnectionStateMachine {
    /// What the connection handler must do after an event.
    enum Action: Equatable {
        /// Nothing.
        case none
        /// Start serving a new stream.
        case openStream(streamID: UInt32)
        /// Refuse a new stream with a status; nothing was allocated for it.
        case refuseStream(streamID: UInt32, Status)
        /// Hand a message to the stream's handler.
        case deliverMessage(streamID: UInt32)
        /// The client half-closed: end the stream's request sequence.
        case finishRequests(streamID: UInt32)
        /// Fail one stream with a status (trailers), keeping the connection.
        case failStream(streamID: UInt32, Status)
        /// The client cancelled: stop the handler; send nothing.
        case cancelStream(streamID: UInt32)
        /// Record the client's settings.
        case applySettings(FrameSettings)
        /// Fail the connection: send GOAWAY with this error and close.
        case closeConnection(GoAwayError, String)
        /// Graceful shutdown is complete: close now.
        case closeGracefully
    }

    private enum StreamState {
        /// The client may still send messages.
        case open
        /// The client half-closed; the server is still answering.
        case halfClosed
    }

    private let maxConcurrentStreams: Int
    private var streams: [UInt32: StreamState] = [:]
    private var lastStreamID: UInt32 = 0
    private var settingsReceived = false
    private var refusedAtLimit = 0
    /// Set once GOAWAY was sent: no new streams are accepted.
    private(set) var goAwayStreamID: UInt32?

    init(maxConcurrentStreams: Int) {
        self.maxConcurrentStreams = maxConcurrentStreams
    }

    /// The number of streams being served.
    var openStreamCount: Int { streams.count }

    /// The highest stream id the client has opened.
    var highestStreamID: UInt32 { lastStreamID }

    // MARK: Inbound frames

    mutating func receive(_ frame: Frame) -> Action {
        if !settingsReceived {
            guard case .settings(let settings) = frame else {
                return .closeConnection(.protocolError, "The first frame must be SETTINGS")
            }
            settingsReceived = true
            return .applySettings(settings)
        }
        switch frame {
        case .settings(let settings):
            return .applySettings(settings)
        case .requestHeaders(let streamID, _, _, _):
            return receiveRequestHeaders(streamID: streamID)
        case .message(let streamID, _):
            guard let state = existingStream(streamID) else { return unknownStream(streamID) }
            return state == .open
                ? .deliverMessage(streamID: streamID)
                : .failStream(streamID: streamID, Status(code: .internal, message: "Message after half-close"))
        case .oversizedMessage(let streamID, let length):
            guard existingStream(streamID) != nil else { return unknownStream(streamID) }
            let message = "Message of \(length) bytes exceeds the size limit"
            return .failStream(streamID: streamID, Status(code: .resourceExhausted, message: message))
        case .endStream(let streamID):
            guard let state = existingStream(streamID) else { return unknownStream(streamID) }
            guard state == .open else { return .none }
            streams[streamID] = .halfClosed
            return .finishRequests(streamID: streamID)
        case .cancel(let streamID, _):
            guard existingStream(streamID) != nil else { return unknownStream(streamID) }
            streams[streamID] = nil
            return .cancelStream(streamID: streamID)
        case .responseHeaders, .trailers, .goAway:
            return .closeConnection(.protocolError, "A client sent a server-only frame")
        case .ping:
            return .none  // Answered by the keepalive handler.
        }
    }

    private mutating func receiveRequestHeaders(streamID: UInt32) -> Action {
        guard streamID % 2 == 1, streamID > lastStreamID else {
            return .closeConnection(.protocolError, "Stream id \(streamID) is not odd and increasing")
        }
        lastStreamID = streamID
        if let goAwayStreamID, streamID > goAwayStreamID {
            return .refuseStream(streamID: streamID, Status(code: .unavailable, message: "The server is shutting down"))
        }
        guard streams.count < maxConcurrentStreams else {
            refusedAtLimit += 1
            if refusedAtLimit > 2 * maxConcurrentStreams {
                return .closeConnection(.enhanceYourCalm, "Too many streams beyond the concurrency limit")
            }
            let status = Status(
                code: .resourceExhausted,
                message: "At most \(maxConcurrentStreams) concurrent streams per connection"
            )
            return .refuseStream(streamID: streamID, status)
        }
        refusedAtLimit = 0
        streams[streamID] = .open
        return .openStream(streamID: streamID)
    }

    private func existingStream(_ streamID: UInt32) -> StreamState? {
        streams[streamID]
    }

    /// What a frame for a stream that is not open means: a race with its end if the stream
    /// existed, a protocol violation if it never did.
    private func unknownStream(_ streamID: UInt32) -> Action {
        guard streamID <= lastStreamID else {
            return .closeConnection(.protocolError, "A frame for stream \(streamID), which was never opened")
        }
        return .none
    }

    // MARK: Local events

    /// The server finished a stream (trailers sent) or failed it.
    mutating func streamClosed(_ streamID: UInt32) -> Action {
        streams[streamID] = nil
        if goAwayStreamID != nil && streams.isEmpty {
            return .closeGracefully
        }
        return .none
    }

    /// Starts graceful shutdown; the caller sends GOAWAY with the returned last stream id.
    mutating func beginGracefulShutdown() -> (lastStreamID: UInt32, action: Action)? {
        guard goAwayStreamID == nil else { return nil }
        goAwayStreamID = lastStreamID
        return (lastStreamID, streams.isEmpty ? .closeGracefully : .none)
    }
}
