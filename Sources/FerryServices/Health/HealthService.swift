import FerryProto
public import FerryRPC

/// `ferry.v1.Health`: reports whether the server and its services take calls.
///
/// It needs no authentication, so that load balancers and operators can probe it.
public struct HealthService: RPCService {
    private let board: HealthStatusBoard

    /// Creates the service.
    ///
    /// - Parameter board: Where component statuses are kept.
    public init(board: HealthStatusBoard) {
        self.board = board
    }

    public func registerMethods(with router: inout RPCRouter) {
        let board = self.board
        router.registerUnary(
            FerryV1.Methods.Health.check,
            deserializer: ProtobufDeserializer<FerryV1.HealthCheckRequest>(),
            serializer: ProtobufSerializer<FerryV1.HealthCheckResponse>()
        ) { request, _ in
            guard let status = board.status(of: request.service) else {
                throw RPCError(code: .notFound, message: "Unknown service '\(request.service)'")
            }
            return FerryV1.HealthCheckResponse(status: status)
        }
        router.runOnConnectionLoop(FerryV1.Methods.Health.check)
        router.registerServerStreaming(
            FerryV1.Methods.Health.watch,
            deserializer: ProtobufDeserializer<FerryV1.HealthCheckRequest>(),
            serializer: ProtobufSerializer<FerryV1.HealthCheckResponse>()
        ) { request, writer, _ in
            for await status in board.watch(request.service) {
                try await writer.write(FerryV1.HealthCheckResponse(status: status))
            }
            return [:]
        }
    }
}
