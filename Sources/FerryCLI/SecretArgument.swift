public import FerryProto

/// A `--secret NAME=VALUE` argument. Its description shows the name only, so the value never
/// reaches a log line, an error message or ferryctl's output.
public struct SecretArgument: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public let name: String
    let value: String

    /// Parses `NAME=VALUE`; nil unless the name is non-empty. The value may contain `=`.
    public init?(_ argument: String) {
        guard let equals = argument.firstIndex(of: "="), equals != argument.startIndex else { return nil }
        name = String(argument[..<equals])
        value = String(argument[argument.index(after: equals)...])
    }

    /// The message the request carries.
    public var proto: FerryV1.Secret { FerryV1.Secret(name: name, value: value) }

    public var description: String { "\(name)=<redacted>" }
    public var debugDescription: String { description }
}
