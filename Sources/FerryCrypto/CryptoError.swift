/// A failure of a cryptographic operation.
///
/// Messages never contain key material or plaintext.
public struct CryptoError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: String { case invalidKey, authenticationFailed, malformedInput, library }
        private let value: Value

        /// The key has the wrong length or format.
        public static let invalidKey = Code(value: .invalidKey)
        /// A sealed value was tampered with, or sealed under another key.
        public static let authenticationFailed = Code(value: .authenticationFailed)
        /// A sealed value is too short or has an unknown version.
        public static let malformedInput = Code(value: .malformedInput)
        /// OpenSSL reported an error.
        public static let library = Code(value: .library)

        public var description: String { value.rawValue }
    }

    /// What went wrong.
    public var code: Code
    /// A short explanation.
    public var message: String

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: What went wrong.
    ///   - message: A short explanation.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
