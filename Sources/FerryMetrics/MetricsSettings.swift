public import Configuration
public import FerrySettings
public import FerryTransport

/// The `metrics.listen` setting, the same for `ferryd` and `ferry-worker`.
public enum MetricsSettings {
    /// Its `--help` entry.
    public static let documentedKey = DocumentedSetting(
        "metrics.listen", "", "host:port of the plain-HTTP /metrics listener (Prometheus text); off when empty")

    /// Where to serve `/metrics`, or `nil` for nowhere.
    ///
    /// - Parameter config: A reader over flags, environment and file.
    /// - Returns: The address.
    /// - Throws: ``SettingsError`` when it is not host:port.
    public static func listen(from config: ConfigReader) throws -> ListenAddress? {
        guard let text = config.string(forKey: "metrics.listen"), !text.isEmpty else { return nil }
        do {
            return try ListenAddress(text)
        } catch {
            throw SettingsError(key: "metrics.listen", message: "'\(text)' is not host:port")
        }
    }
}
