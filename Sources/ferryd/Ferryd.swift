import FerryLogging
import FerryServices
import FerrySettings
import FerryStore
import Foundation
import Logging

/// `ferryd`: the Ferry server, or `ferryd migrate`, which brings the database to this build's
/// schema and exits (for deploy pipelines that migrate before starting the new servers).
///
/// Settings come from flags (`--tls-cert …`), environment variables (`FERRY_TLS_CERT=…`) and a
/// JSON file (`--config ferryd.json`, keys like `{"tls": {"cert": …}}`), in that order of priority.
@main
struct Ferryd {
    static func main() async {
        let arguments = CommandLine.arguments
        let migrating = arguments.dropFirst().first == "migrate"
        if arguments.contains("--help") || arguments.contains("-h") {
            print(
                LayeredConfiguration.usage(
                    program: "ferryd", summary: "Ferry's RPC server.", keys: ServerSettings.documentedKeys))
            print("\n`ferryd migrate [--key value …]` applies pending database migrations (database.url, or else database.path) and exits.")
            return
        }
        do {
            // A password on the command line is visible to every user of the machine (`ps`).
            if arguments.contains(where: { $0 == "--database-password" || $0.hasPrefix("--database-password=") }) {
                throw SettingsError(
                    key: "database.password",
                    message: "not as a flag: set FERRY_DATABASE_PASSWORD or database.passwordFile")
            }
            let config = try await LayeredConfiguration.reader(knownKeys: ServerSettings.documentedKeys)
            if migrating {
                LoggingBootstrap.bootstrap(try LogSettings.load(from: config))
                let database = try ServerSettings.database(from: config)
                let versions = try await database.migrate(logger: Logger(label: "ferryd"))
                print(
                    versions.from == versions.to
                        ? "\(database): schema version \(versions.to), nothing to migrate"
                        : "\(database): migrated from schema version \(versions.from) to \(versions.to)")
                return
            }
            let settings = try ServerSettings.load(from: config)
            LoggingBootstrap.bootstrap(settings.log)
            try await FerryServerProcess(settings: settings, logger: Logger(label: "ferryd")).run()
        } catch {
            FileHandle.standardError.write(Data("ferryd: \(error)\n".utf8))
            exit(error is SettingsError ? 2 : 1)
        }
    }
}
