import FerryServices
import FerrySettings
import Foundation
import Logging

/// `ferryd`: the Ferry server.
///
/// Settings come from flags (`--tls-cert …`), environment variables (`FERRY_TLS_CERT=…`) and a
/// JSON file (`--config ferryd.json`, keys like `{"tls": {"cert": …}}`), in that order of priority.
@main
struct Ferryd {
    static func main() async {
        let arguments = CommandLine.arguments
        if arguments.contains("--help") || arguments.contains("-h") {
            print(
                LayeredConfiguration.usage(
                    program: "ferryd", summary: "Ferry's RPC server.", keys: ServerSettings.documentedKeys))
            return
        }
        do {
            let settings = try ServerSettings.load(
                from: try await LayeredConfiguration.reader(knownKeys: ServerSettings.documentedKeys))
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
}
