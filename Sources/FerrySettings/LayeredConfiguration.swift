public import Configuration
import Foundation
import SystemPackage

/// How Ferry's executables read their settings: command-line flags first (`--tls-cert`), then
/// `FERRY_*` environment variables (`FERRY_TLS_CERT`), then the JSON file named by the `config`
/// key (`{"tls": {"cert": …}}`). One library (swift-configuration) for all three.
public enum LayeredConfiguration {
    /// Builds the reader.
    ///
    /// - Parameters:
    ///   - fileKey: The key that names the JSON file; `config` by default.
    ///   - knownKeys: When given, a flag, a `FERRY_*` variable or a file key that is not one of
    ///     these is refused.
    /// - Returns: A reader over flags, environment and, when named, the file.
    /// - Throws: ``SettingsError`` when the named file cannot be read or parsed, or names a key
    ///   (or the command line a flag, or the environment a `FERRY_*` variable) that nobody reads.
    public static func reader(fileKey: String = "config", knownKeys: [DocumentedSetting]? = nil) async throws
        -> ConfigReader
    {
        if let knownKeys {
            try SettingsKeyCheck.checkFlags(Array(CommandLine.arguments.dropFirst()), keys: knownKeys)
            try SettingsKeyCheck.checkEnvironment(ProcessInfo.processInfo.environment, keys: knownKeys)
        }
        let flags = CommandLineArgumentsProvider()
        let environment = KeyMappingProvider(upstream: EnvironmentVariablesProvider()) { key in
            key.prepending(["ferry"])
        }
        let bootstrap = ConfigReader(providers: [flags, environment])
        guard let path = bootstrap.string(forKey: ConfigKey(fileKey)), !path.isEmpty else {
            return bootstrap
        }
        let file: FileProvider<JSONSnapshot>
        do {
            file = try await FileProvider<JSONSnapshot>(filePath: FilePath(path))
        } catch {
            throw SettingsError(key: fileKey, message: "cannot read '\(path)': \(error)")
        }
        if let knownKeys, let data = FileManager.default.contents(atPath: path) {
            try SettingsKeyCheck.checkFile(data, path: path, keys: knownKeys)
        }
        return ConfigReader(providers: [flags, environment, file])
    }

    /// A `--help` text listing every key with its default.
    ///
    /// - Parameters:
    ///   - program: The executable's name.
    ///   - summary: One line saying what it is.
    ///   - keys: The documented keys.
    /// - Returns: The text.
    public static func usage(program: String, summary: String, keys: [DocumentedSetting]) -> String {
        var lines = [
            "Usage: \(program) [--key value …]",
            "",
            summary + " Every key can be given as a flag (--tls-cert), an environment",
            "variable (FERRY_TLS_CERT) or in the JSON file named by --config ({\"tls\": {\"cert\": …}}).",
            "",
        ]
        for setting in keys {
            let value = setting.defaultValue.isEmpty ? "" : " (default: \(setting.defaultValue))"
            lines.append("  \(setting.key.padding(toLength: 28, withPad: " ", startingAt: 0))\(setting.help)\(value)")
        }
        return lines.joined(separator: "\n")
    }
}

/// One configuration key as `--help` and the README document it.
public struct DocumentedSetting: Sendable {
    /// The key, dotted as in the JSON file.
    public var key: String
    /// The default, as text; empty when there is none.
    public var defaultValue: String
    /// What it sets.
    public var help: String

    /// Creates an entry.
    public init(_ key: String, _ defaultValue: String, _ help: String) {
        self.key = key
        self.defaultValue = defaultValue
        self.help = help
    }
}
