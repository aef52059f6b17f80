/// An error from encoding or decoding a ``FerryMessage``.
///
/// ``ProtobufSerializer`` and ``ProtobufDeserializer`` wrap it in an `RPCError`, keeping it as
/// the cause.
public struct ProtoCodingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: Hashable, Sendable {
            case malformedBytes
            case invalidUTF8
            case unrepresentableString
        }

        private let wrapped: Wrapped

        private init(_ wrapped: Wrapped) {
            self.wrapped = wrapped
        }

        /// protobuf-c could not parse the bytes as the expected message (truncated input, a bad
        /// wire type, a length past the end, ...).
        public static let malformedBytes = Code(.malformedBytes)

        /// A string field holds bytes that are not valid UTF-8, which proto3 forbids.
        public static let invalidUTF8 = Code(.invalidUTF8)

        /// A string to encode contains U+0000. protobuf-c keeps strings NUL-terminated, so the
        /// string would be cut short; it is refused instead.
        public static let unrepresentableString = Code(.unrepresentableString)

        public var description: String {
            switch wrapped {
            case .malformedBytes: "malformed bytes"
            case .invalidUTF8: "invalid UTF-8"
            case .unrepresentableString: "string contains U+0000"
            }
        }
    }

    /// What went wrong.
    public var code: Code

    /// The full proto name of the message or field involved, e.g. `ferry.v1.Storage` or
    /// `ferry.v1.StorageSpec.title`.
    public var protoName: String

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: What went wrong.
    ///   - protoName: The full proto name of the message or field involved.
    public init(code: Code, protoName: String) {
        self.code = code
        self.protoName = protoName
    }

    public var description: String {
        "\(protoName): \(code)"
    }
}
