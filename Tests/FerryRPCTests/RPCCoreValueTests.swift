import FerryRPC
import Testing

@Suite("RPC core values")
struct RPCCoreValueTests {
    @Test("Status codes keep gRPC's numbers and names; unknown numbers become UNKNOWN")
    func statusCodes() {
        #expect(Status.Code.ok.rawValue == 0)
        #expect(Status.Code.unauthenticated.rawValue == 16)
        #expect(Status.Code.resourceExhausted.description == "RESOURCE_EXHAUSTED")
        #expect(Status.Code(rawValue: 99) == .unknown)
    }

    @Test("Method paths parse as service/method and nothing else")
    func methodPaths() {
        #expect(MethodDescriptor(path: "ferry.v1.Health/Check") == MethodDescriptor(service: "ferry.v1.Health", method: "Check"))
        #expect(MethodDescriptor(path: "ferry.v1.Health") == nil)
        #expect(MethodDescriptor(path: "/Check") == nil)
        #expect(MethodDescriptor(path: "a/b/c") == nil)
    }

    @Test("Metadata keys are case-insensitive, ordered, repeatable, and validated")
    func metadata() {
        var metadata: Metadata = ["Authorization": "Bearer x"]
        metadata.add("1", forKey: "x-id")
        metadata.add("2", forKey: "X-Id")
        #expect(metadata["authorization"] == "Bearer x")
        #expect(metadata.values(forKey: "x-id") == ["1", "2"])
        #expect(Metadata.isValidKey("x-request.id_2"))
        #expect(!Metadata.isValidKey("Upper"))
        #expect(!Metadata.isValidKey(""))
        #expect(!Metadata.isValidKey("sp ace"))
    }

    @Test("Handler errors reach peers as neutral statuses; causes stay for logs")
    func errorMapping() {
        struct DatabaseDown: Error {}
        let mapped = RPCError.from(DatabaseDown())
        #expect(mapped.code == .internal)
        #expect(mapped.message == "Internal error")
        #expect(mapped.cause is DatabaseDown)
        #expect(RPCError.from(CancellationError()).code == .cancelled)
        let own = RPCError(code: .notFound, message: "no storage 7")
        #expect(RPCError.from(own).message == "no storage 7")
        #expect(RPCError(status: .ok).code == .unknown)
    }
}
