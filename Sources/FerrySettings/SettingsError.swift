/// A configuration value is missing or invalid.
public struct SettingsError: Error, Sendable, CustomStringConvertible {
    /// The configuration key, as written in the JSON file (flags and environment follow from it).
    public var key: String
    /// What is wrong.
    public var message: String

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - key: The configuration key.
    ///   - message: What is wrong.
    public init(key: String, message: String) {
        self.key = key
        self.message = message
    }

    public var description: String { "Configuration '\(key)': \(message)" }
}
