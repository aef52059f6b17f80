import FerryRPC
import Synchronization
import Testing

@Suite("Router and server dispatch")
struct RPCRouterTests {
    static let echo = MethodDescriptor(service: "t.S", method: "Echo")
    static let sum = MethodDescriptor(service: "t.S", method: "Sum")
    static let fail = MethodDescriptor(service: "t.S", method: "Fail")

    private func router() -> RPCRouter {
        var router = RPCRouter()
        let coder = BytesCoder()
        router.registerUnary(Self.echo, deserializer: coder, serializer: coder) { request, _ in request }
        router.registerClientStreaming(Self.sum, deserializer: coder, serializer: coder) { requests, _ in
            var total: UInt8 = 0
            for try await request in requests { total &+= request.first ?? 0 }
            return [total]
        }
        router.registerUnary(Self.fail, deserializer: coder, serializer: coder) { _, _ in
            throw RPCError(code: .failedPrecondition, message: "not now", metadata: ["retry-after": "5"])
        }
        return router
    }

    @Test("Methods whose requests stream are known, so the server can run them below the others")
    func streamingRequests() {
        var router = router()
        let coder = BytesCoder()
        let chat = MethodDescriptor(service: "t.S", method: "Chat")
        let watch = MethodDescriptor(service: "t.S", method: "Watch")
        router.registerBidirectional(chat, deserializer: coder, serializer: coder) { _, _, _ in [:] }
        router.registerServerStreaming(watch, deserializer: coder, serializer: coder) { _, _, _ in [:] }
        #expect(router.streamsRequests(Self.sum))
        #expect(router.streamsRequests(chat))
        #expect(!router.streamsRequests(Self.echo))
        #expect(!router.streamsRequests(watch))
        router.register(chat) { _ in }
        #expect(!router.streamsRequests(chat), "a raw re-registration forgets the shape")
    }

    @Test("Calls that end at shutdown: request streams, and server streams marked as following")
    func endingAtShutdown() {
        var router = router()
        let coder = BytesCoder()
        let watch = MethodDescriptor(service: "t.S", method: "Watch")
        router.registerServerStreaming(watch, deserializer: coder, serializer: coder) { _, _, _ in [:] }
        #expect(router.endsAtShutdown(Self.sum))
        #expect(!router.endsAtShutdown(watch) && !router.endsAtShutdown(Self.echo))
        router.endAtShutdown(watch)
        #expect(router.endsAtShutdown(watch))
        #expect(!router.streamsRequests(watch), "a watch still runs with the other calls")
    }

    @Test("A unary handler answers with its message and OK in one finish")
    func unary() async throws {
        let (stream, recorder) = InProcessStream.make(Self.echo, requests: [[4, 2]])
        await router().handler(for: Self.echo)!(stream)
        recorder.result.withLock { result in
            #expect(result.messages == [[4, 2]])
            #expect(result.status == .ok)
            #expect(result.finishCount == 1)
        }
    }

    @Test("A unary call without exactly one request fails with INTERNAL")
    func unaryCardinality() async throws {
        for requests: [[UInt8]] in [[], [[1], [2]]] {
            let (stream, recorder) = InProcessStream.make(Self.echo, requests: requests)
            await router().handler(for: Self.echo)!(stream)
            #expect(recorder.result.withLock { $0.status?.code } == .internal)
        }
    }

    @Test("A client-streaming handler sees every request")
    func clientStreaming() async throws {
        let (stream, recorder) = InProcessStream.make(Self.sum, requests: [[1], [2], [3]])
        await router().handler(for: Self.sum)!(stream)
        #expect(recorder.result.withLock { $0.messages } == [[6]])
    }

    @Test("A thrown RPCError becomes the status and trailers")
    func thrownStatus() async throws {
        let (stream, recorder) = InProcessStream.make(Self.fail, requests: [[1]])
        await router().handler(for: Self.fail)!(stream)
        recorder.result.withLock { result in
            #expect(result.status == Status(code: .failedPrecondition, message: "not now"))
            #expect(result.trailers["retry-after"] == "5")
        }
    }
}
