import ArgumentParser
import FerryCLI
import FerryRPC
import Foundation

/// `ferryctl`: operate a Ferry server from the command line.
///
/// Exit codes (see ``ExitCodes``): 0 ok, 1 call failed or sync failed, 2 usage error (and, for
/// `sync --watch`, completed with errors), 3 server unreachable, 4 not allowed, 5 not found.
@main
struct Ferryctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ferryctl",
        abstract: "Operate a Ferry server.",
        discussion: """
            Exit codes: 0 ok; 1 call failed (or sync --watch: failed); 2 usage error (or sync \
            --watch: completed_with_errors); 3 server unreachable; 4 not allowed \
            (UNAUTHENTICATED, PERMISSION_DENIED); 5 not found.
            """,
        subcommands: [
            HealthCommand.self, StorageCommand.self, SyncCommand.self, CancelCommand.self,
            TasksCommand.self, AnnotationsCommand.self, DatasetCommand.self, JobsCommand.self, WorkersCommand.self,
            TokenCommand.self,
            CompletionCommand.self,
        ]
    )

    /// Parses, runs, and turns every error into one stderr line and a documented exit code.
    static func main() async {
        do {
            try ConnectionDefaults.checkEnvironment(ProcessInfo.processInfo.environment)
            let command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                var command = command
                try command.run()
            }
        } catch {
            exit(for: error)
        }
    }

    /// The single place errors end ferryctl: RPC failures map through ``ExitCodes``; help and
    /// version print as ArgumentParser prints them (exit 0); usage errors exit 2; `ExitCode`
    /// exits as given; anything else is one `ferryctl: …` line and exit 1.
    static func exit(for error: any Error) -> Never {
        if let code = error as? ExitCode { Foundation.exit(code.rawValue) }
        if error is ConnectionDefaultsError {
            printError("ferryctl: \(error)")
            Foundation.exit(ExitCodes.usage)
        }
        if !(error is RPCError) {
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }
            if code == .validationFailure {
                printError(fullMessage(for: error))
                Foundation.exit(ExitCodes.usage)
            }
        }
        printError(ExitCodes.line(for: error))
        Foundation.exit(ExitCodes.code(for: error))
    }
}
