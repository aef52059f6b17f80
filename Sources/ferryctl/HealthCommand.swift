import ArgumentParser
import FerryCLI
import FerryProto
import FerryRPC

/// `ferryctl health`: asks the server whether it (or one service) is serving.
struct HealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "Check that the server is serving; exits 0 only when it is."
    )

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: ReplyOutputOptions

    @Option(help: "A full service name; empty for the server as a whole.")
    var service = ""

    func run() async throws {
        let response = try await connection.withClient { client in
            try await client.rpc.unary(
                FerryV1.Methods.Health.check,
                request: FerryV1.HealthCheckRequest(service: service),
                serializer: ProtobufSerializer(),
                deserializer: ProtobufDeserializer<FerryV1.HealthCheckResponse>(),
                options: client.options
            )
        }
        output.print(json: ReplyJSON.health(response), text: Names.servingStatus(response.status))
        guard response.status == .serving else { throw ExitCode(1) }
    }
}
