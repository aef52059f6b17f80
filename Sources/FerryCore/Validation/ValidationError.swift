/// A request refused because some of its fields are invalid; the server answers
/// `INVALID_ARGUMENT` with ``description`` and may attach ``fieldErrors`` as details.
public struct ValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of validation failed. Extensible: switch with a `default`.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: String {
            case invalidStorage, invalidConfiguration
        }

        private let value: Value

        /// A storage's settings or secrets are invalid (create or update).
        public static let invalidStorage = Code(value: .invalidStorage)
        /// A server setting is invalid (e.g. ``TerminationPolicy/validate()``).
        public static let invalidConfiguration = Code(value: .invalidConfiguration)

        public var description: String { self.value.rawValue }
    }

    /// What kind of validation failed.
    public var code: Code
    /// Every invalid field, in the order checked; never empty.
    public var fieldErrors: [FieldError]

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: What kind of validation failed.
    ///   - fieldErrors: The invalid fields.
    public init(code: Code = .invalidStorage, fieldErrors: [FieldError]) {
        self.code = code
        self.fieldErrors = fieldErrors
    }

    /// `invalid fields: title: must not be empty; prefix: ...`. Safe to return to a client.
    public var description: String {
        "invalid fields: " + self.fieldErrors.map(\.description).joined(separator: "; ")
    }
}
