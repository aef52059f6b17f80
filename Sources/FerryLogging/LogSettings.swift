public import Configuration
public import FerrySettings

/// How `ferryd` and `ferry-worker` log: `log.level` and `log.format`.
public struct LogSettings: Sendable, Equatable {
    /// One line per event: readable text, or one JSON object.
    public enum Format: String, Sendable, CaseIterable {
        /// `2026-12-04T20:49:47+0000 info ferryd: key=value … message` (swift-log's own).
        case text
        /// `{"time":"…","level":"info","label":"ferryd","message":"…","key":"value",…}`.
        case json
    }

    /// The lowest level logged (`trace` … `critical`).
    public var level: String
    /// The line format.
    public var format: Format

    /// Creates settings.
    public init(level: String = "info", format: Format = .text) {
        self.level = level
        self.format = format
    }

    /// The keys, for `--help` and the README.
    public static let documentedKeys: [DocumentedSetting] = [
        .init("log.level", "info", "trace, debug, info, notice, warning, error or critical"),
        .init("log.format", "text", "text, or json (one object per line)"),
    ]

    static let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    /// Reads and checks both keys.
    ///
    /// - Parameter config: A reader over flags, environment and file.
    /// - Returns: The settings.
    /// - Throws: ``SettingsError`` naming the key with an unknown value.
    public static func load(from config: ConfigReader) throws -> LogSettings {
        let level = config.string(forKey: "log.level", default: "info")
        guard levels.contains(level) else {
            throw SettingsError(key: "log.level", message: "unknown level '\(level)'; use \(levels.joined(separator: ", "))")
        }
        let formatName = config.string(forKey: "log.format", default: "text")
        guard let format = Format(rawValue: formatName) else {
            throw SettingsError(key: "log.format", message: "unknown format '\(formatName)'; use text or json")
        }
        return LogSettings(level: level, format: format)
    }
}
