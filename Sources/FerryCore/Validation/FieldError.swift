/// One invalid field of a request: which field, what kind of problem, and a readable message.
///
/// Field names are the `ferry.v1.StorageSpec` field paths (`regex_filter`, `s3.endpoint_url`,
/// `credentials.password`), so a client can point at the field it sent.
public struct FieldError: Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem a field has. Extensible: switch with a `default`.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: String {
            case required, tooLong, invalidFormat, outOfRange, notAllowed, immutable, escapesRoot
        }

        private let value: Value

        /// The field must be set.
        public static let required = Code(value: .required)
        /// The field is longer than allowed.
        public static let tooLong = Code(value: .tooLong)
        /// The field does not parse (a regex that does not compile, a malformed URL or name).
        public static let invalidFormat = Code(value: .invalidFormat)
        /// A number or duration is outside its range.
        public static let outOfRange = Code(value: .outOfRange)
        /// The value is not allowed here (a setting for another kind or provider, an unknown
        /// secret name, credentials inside a URL).
        public static let notAllowed = Code(value: .notAllowed)
        /// The field cannot change after creation.
        public static let immutable = Code(value: .immutable)
        /// A path leaves the directory it must stay in.
        public static let escapesRoot = Code(value: .escapesRoot)

        public var description: String { self.value.rawValue }
    }

    /// The field path, e.g. `prefix` or `s3.endpoint_url`.
    public var field: String
    /// What kind of problem it has.
    public var code: Code
    /// A readable explanation, safe to return to a client (never contains a secret value).
    public var message: String

    /// Creates a field error.
    ///
    /// - Parameters:
    ///   - field: The field path.
    ///   - code: What kind of problem it has.
    ///   - message: A readable explanation.
    public init(field: String, code: Code, message: String) {
        self.field = field
        self.code = code
        self.message = message
    }

    /// `field: message`.
    public var description: String {
        "\(self.field): \(self.message)"
    }
}
