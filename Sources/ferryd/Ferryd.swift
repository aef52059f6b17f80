import Configuration
import FerryServices
import Foundation
import Logging
import SystemPackage

/// `ferryd`: the Ferry server.
///
/// Settings come from flags (`--tls-cert …`), environment variables (`FERRY_TLS_CERT=…`) and a
/// JSON file (`--config ferryd.json`, keys like `{"tls": {"cert": …}}`), in that order of priority.
@main
struct Ferryd {
    static func main() async {
        let arguments = CommandLine.arguments
        if arguments.contains("--help") || arguments.contains("-h") {
            print(usage)
            return
        }
        do {
            let config = try await configReader()
            let settings = try ServerSettings.load(from: config)
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = Logger.Level(rawValue: settings.logLevel) ?? .info
                return handler
            }
            try await FerryServerProcess(settings: settings, logger: Logger(label: "ferryd")).run()
        } catch {
            FileHandle.standardError.write(Data("ferryd: \(error)\n".utf8))
            exit(error is SettingsError ? 2 : 1)
        }
    }

    /// Flags first, then `FERRY_*` environment variables, then the JSON file named by `config`.
    private static func configReader() async throws -> ConfigReader {
        let flags = CommandLineArgumentsProvider()
        let environment = KeyMappingProvider(upstream: EnvironmentVariablesProvider()) { key in
            key.prepending(["ferry"])
        }
        let bootstrap = ConfigReader(providers: [flags, environment])
        guard let path = bootstrap.string(forKey: "config"), !path.isEmpty else {
            return bootstrap
        }
        do {
            let file = try await FileProvider<JSONSnapshot>(filePath: FilePath(path))
            return ConfigReader(providers: [flags, environment, file])
        } catch {
            throw SettingsError(key: "config", message: "cannot read '\(path)': \(error)")
        }
    }

    private static var usage: String {
        var lines = [
            "Usage: ferryd [--key value …]",
            "",
            "Ferry's RPC server. Every key can be given as a flag (--tls-cert), an environment",
            "variable (FERRY_TLS_CERT) or in the JSON file named by --config ({\"tls\": {\"cert\": …}}).",
            "",
        ]
        for (key, defaultValue, help) in ServerSettings.documentedKeys {
            let value = defaultValue.isEmpty ? "" : " (default: \(defaultValue))"
            lines.append("  \(key.padding(toLength: 28, withPad: " ", startingAt: 0))\(help)\(value)")
        }
        return lines.joined(separator: "\n")
    }
}
