import ArgumentParser

/// `ferryctl`: operate a Ferry server from the command line.
@main
struct Ferryctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ferryctl",
        abstract: "Operate a Ferry server.",
        subcommands: [HealthCommand.self, TokenCommand.self]
    )
}
