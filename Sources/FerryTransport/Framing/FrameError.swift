import NIOCore

/// A violation of the framing protocol; the connection that caused it is closed with GOAWAY.
public struct FrameError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Which rule was broken.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: String {
            case unknownFrameType, frameTooLarge, malformedPayload, invalidStreamID, protocolViolation
        }

        private let value: Value

        /// A frame type byte that this version does not know.
        public static let unknownFrameType = Code(value: .unknownFrameType)
        /// A non-MESSAGE frame whose length exceeds the control-frame limit.
        public static let frameTooLarge = Code(value: .frameTooLarge)
        /// A payload that does not match its frame type's layout.
        public static let malformedPayload = Code(value: .malformedPayload)
        /// A stream id that is not allowed for the frame type.
        public static let invalidStreamID = Code(value: .invalidStreamID)
        /// A well-formed frame that is not allowed in the connection's state.
        public static let protocolViolation = Code(value: .protocolViolation)

        public var description: String { value.rawValue }
    }

    /// Which rule was broken.
    public var code: Code
    /// What was seen.
    public var message: String
    /// The raw frame header, when the header itself was the problem.
    public var rawHeader: [UInt8]

    init(_ code: Code, _ message: String, rawHeader: [UInt8] = []) {
        self.code = code
        self.message = message
        self.rawHeader = rawHeader
    }

    public var description: String { "\(code): \(message)" }

    /// The GOAWAY error code that reports this error to the peer.
    var goAwayError: GoAwayError {
        code == .frameTooLarge ? .frameSizeError : .protocolError
    }
}
