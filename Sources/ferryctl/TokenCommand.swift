import ArgumentParser
import FerryCrypto
import FerryServices

/// `ferryctl token create`: makes a bearer token and the line that registers it with ferryd.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Manage bearer tokens for internal services.",
        subcommands: [Create.self]
    )

    /// Prints a new random token and its tokens-file line; the token itself is shown only once.
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a token; add the printed line to ferryd's tokens file."
        )

        @Option(help: "The token's role: reader or admin.")
        var role: String

        @Option(help: "A name for the token, shown in ferryd's logs.")
        var name: String

        func validate() throws {
            guard role == "reader" || role == "admin" else {
                throw ValidationError("--role must be reader or admin")
            }
            guard !name.isEmpty, !name.contains(" ") else {
                throw ValidationError("--name must be one word")
            }
        }

        func run() async throws {
            let token = SecureRandom.hexToken(byteCount: 32)
            print("token: \(token)")
            print("line:  \(BearerTokenRegistry.line(forToken: token, role: Role(rawValue: role)!, name: name))")
        }
    }
}
