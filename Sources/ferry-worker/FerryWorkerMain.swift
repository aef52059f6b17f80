import FerryLogging
import FerrySettings
import FerryWorker
import Foundation
import Logging

/// `ferry-worker`: claims sync jobs from `ferryd` and runs them.
///
/// Settings come from flags (`--server …`), environment variables (`FERRY_SERVER=…`) and a JSON
/// file (`--config worker.json`), in that order of priority.
@main
struct FerryWorkerMain {
    static func main() async {
        let arguments = CommandLine.arguments
        if arguments.contains("--help") || arguments.contains("-h") {
            print(
                LayeredConfiguration.usage(
                    program: "ferry-worker", summary: "Ferry's sync worker.", keys: WorkerSettings.documentedKeys))
            return
        }
        do {
            let settings = try WorkerSettings.load(
                from: try await LayeredConfiguration.reader(knownKeys: WorkerSettings.documentedKeys))
            LoggingBootstrap.bootstrap(settings.log)
            try await WorkerProcess(settings: settings, logger: Logger(label: "ferry-worker")).run()
        } catch {
            FileHandle.standardError.write(Data("ferry-worker: \(error)\n".utf8))
            exit(error is SettingsError ? 2 : 1)
        }
    }
}
