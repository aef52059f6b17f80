/// An error from the TLS layer.
///
/// The `description` is safe to show a peer or a user; `underlying` keeps OpenSSL's error
/// stack for logs.
public struct TLSError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What kind of TLS failure this is.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: String {
            case configuration, handshakeFailed, handshakeTimeout, protocolError, unexpectedClose,
                readFailed, writeFailed
        }

        private let value: Value

        /// The configuration could not be loaded (bad path, bad PEM, key mismatch).
        public static let configuration = Code(value: .configuration)
        /// The handshake failed (certificate refused, no shared protocol or version, garbage).
        public static let handshakeFailed = Code(value: .handshakeFailed)
        /// The handshake did not finish in time.
        public static let handshakeTimeout = Code(value: .handshakeTimeout)
        /// The peer broke the TLS protocol after the handshake.
        public static let protocolError = Code(value: .protocolError)
        /// The connection closed without close_notify.
        public static let unexpectedClose = Code(value: .unexpectedClose)
        /// Decrypting failed.
        public static let readFailed = Code(value: .readFailed)
        /// Encrypting failed.
        public static let writeFailed = Code(value: .writeFailed)

        public var description: String { value.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// A short message.
    public var message: String
    /// OpenSSL's error stack at the time, innermost last.
    public var underlying: [OpenSSLErrorEntry]

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: The kind of failure.
    ///   - message: A short message.
    ///   - underlying: OpenSSL's error stack.
    public init(code: Code, message: String, underlying: [OpenSSLErrorEntry] = []) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    public var description: String {
        guard let reason = underlying.last?.reason else { return "TLS \(code): \(message)" }
        return "TLS \(code): \(message) (\(reason))"
    }

    public var debugDescription: String {
        ([description] + underlying.map { "  \($0)" }).joined(separator: "\n")
    }
}

/// One entry of OpenSSL's error queue.
public struct OpenSSLErrorEntry: Sendable, CustomStringConvertible {
    /// The packed OpenSSL error code.
    public var code: UInt
    /// The OpenSSL source file that raised it.
    public var file: String
    /// The line in that file.
    public var line: Int
    /// OpenSSL's reason string, for example `certificate verify failed`.
    public var reason: String

    public var description: String { "\(reason) [\(code) at \(file):\(line)]" }
}
