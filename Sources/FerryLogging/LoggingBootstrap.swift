public import Logging

/// Sets up swift-log for an executable, once, from its ``LogSettings``.
public enum LoggingBootstrap {
    /// Bootstraps the logging system: every logger writes to standard error, as text or JSON,
    /// from the settings' level up.
    ///
    /// - Parameter settings: Level and format.
    public static func bootstrap(_ settings: LogSettings) {
        let level = Logger.Level(rawValue: settings.level) ?? .info
        LoggingSystem.bootstrap { label in
            switch settings.format {
            case .text:
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            case .json:
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
        }
    }
}
