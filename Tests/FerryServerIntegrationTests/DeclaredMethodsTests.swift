import FerryProto
import FerryRPC
import FerryTestSupport
import Foundation
import Testing

/// Every `rpc` the `.proto` files declare is served: called with an empty request by a caller
/// allowed to call it, none answers UNIMPLEMENTED (it may refuse the request, or time out on a
/// stream that waits for more).
@Suite(.timeLimit(.minutes(3)))
struct DeclaredMethodsTests {
    /// `(service, method)` for every `rpc` line of Proto/ferry/v1.
    static func declaredMethods() throws -> [(service: String, method: String)] {
        let folder = TestPKI.repositoryRoot + "/Proto/ferry/v1"
        var methods: [(String, String)] = []
        for file in try FileManager.default.contentsOfDirectory(atPath: folder).sorted() where file.hasSuffix(".proto") {
            var service = ""
            for line in try String(contentsOfFile: folder + "/" + file, encoding: .utf8).split(separator: "\n") {
                let words = line.trimmingCharacters(in: .whitespaces).split(separator: " ")
                if words.first == "service", words.count > 1 { service = "ferry.v1." + words[1] }
                if words.first == "rpc", words.count > 1, let name = words[1].split(separator: "(").first {
                    methods.append((service, String(name)))
                }
            }
        }
        return methods
    }

    @Test func noDeclaredMethodAnswersUnimplemented() async throws {
        let methods = try Self.declaredMethods()
        #expect(methods.count >= 23, "found \(methods.count) rpc lines")
        try await FerryTestServer.with { server in
            for (service, method) in methods {
                let identity: FerryTestServer.Identity =
                    service.hasSuffix("WorkerService") ? .worker : service.hasSuffix("Health") ? .anonymous : .admin
                let code = try await server.withClient(identity) { client -> RPCError.Code? in
                    do {
                        let _: FerryV1.HealthCheckResponse = try await client.rpc.unary(
                            MethodDescriptor(service: service, method: method), request: FerryV1.HealthCheckRequest(),
                            serializer: ProtobufSerializer<FerryV1.HealthCheckRequest>(),
                            deserializer: ProtobufDeserializer<FerryV1.HealthCheckResponse>(),
                            options: CallOptions(metadata: client.metadata, timeout: .seconds(3)))
                        return nil
                    } catch let error as RPCError {
                        return error.code
                    } catch {
                        return nil
                    }
                }
                #expect(code != .unimplemented, "\(service)/\(method) answered UNIMPLEMENTED")
            }
        }
    }
}
