import FerryRPC
import FerryTransport
import Foundation
import Synchronization
import Testing

/// Streaming calls that never suspend must not starve unary calls: with a streaming executor
/// they run on its threads, and the global executor stays free for everything else.
struct StreamingExecutorTests {
    @Test func aUnaryCallIsAnsweredWhileStreamingHandlersHogTheirThreads() async throws {
        let flags = Flags()
        // More spinners than the global executor has threads: without the executor they would
        // hold all of them until released, and the unary call would wait for that.
        let spinners = ProcessInfo.processInfo.activeProcessorCount + 1
        let executor = ThreadPoolTaskExecutor(threads: 1)
        defer { executor.shutdown() }
        let transport = ScriptedTransport { handle in
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<spinners {
                    group.addTask { _ = await handle(BusyService.spin) }
                }
                while flags.spinning.load(ordering: .acquiring) == 0 {
                    try? await Task.sleep(for: .milliseconds(5))
                }
                let status = await handle(BusyService.echo)
                let stillSpinning = flags.finished.load(ordering: .acquiring) == 0
                flags.released.store(true, ordering: .releasing)
                #expect(status?.code == .ok)
                #expect(stillSpinning, "the unary call was answered only after the spinners gave up")
            }
        }
        let server = RPCServer(transport: transport, services: [BusyService(flags: flags)], streamingExecutor: executor)
        try await server.serve()
    }
}

private final class Flags: Sendable {
    let released = Atomic<Bool>(false)
    let spinning = Atomic<Int>(0)
    let finished = Atomic<Int>(0)
}

/// A client-streaming method whose handler spins without ever suspending (until released or
/// ten seconds pass), and a unary echo.
private struct BusyService: RPCService {
    static let spin = MethodDescriptor(service: "t.Busy", method: "Spin")
    static let echo = MethodDescriptor(service: "t.Busy", method: "Echo")
    let flags: Flags

    func registerMethods(with router: inout RPCRouter) {
        let flags = self.flags
        router.registerClientStreaming(Self.spin, deserializer: Bytes(), serializer: Bytes()) { _, _ in
            flags.spinning.add(1, ordering: .releasing)
            let giveUp = ContinuousClock.now + .seconds(10)
            while !flags.released.load(ordering: .acquiring) && ContinuousClock.now < giveUp {}
            flags.finished.add(1, ordering: .releasing)
            return []
        }
        router.registerUnary(Self.echo, deserializer: Bytes(), serializer: Bytes()) { request, _ in request }
    }
}

private struct Bytes: MessageSerializer, MessageDeserializer {
    func serialize(_ message: [UInt8]) throws -> [UInt8] { message }
    func deserialize(_ bytes: [UInt8]) throws -> [UInt8] { bytes }
}

/// A transport whose script opens in-process calls and reads their statuses.
private struct ScriptedTransport: ServerTransport {
    typealias Handle = @Sendable (MethodDescriptor) async -> Status?
    let script: @Sendable (@escaping Handle) async -> Void

    func listen(streamHandler: @escaping @Sendable (ServerStream) async -> Void) async throws {
        await script { method in
            let responder = StatusRecorder()
            let context = ServerContext(
                descriptor: method, metadata: [:], peer: PeerIdentity(address: "test"), deadline: nil)
            let requests = AsyncThrowingStream<[UInt8], any Error> { continuation in
                continuation.yield([1])
                continuation.finish()
            }
            await streamHandler(
                ServerStream(context: context, requests: RPCAsyncSequence(wrapping: requests), responder: responder))
            return responder.status.withLock { $0 }
        }
    }

    func beginGracefulShutdown() {}
}

private final class StatusRecorder: ServerStreamResponder {
    let status = Mutex<Status?>(nil)

    func write(_ message: [UInt8]) async throws {}

    func finish(lastMessage: [UInt8]?, status: Status, trailers: Metadata) {
        self.status.withLock { if $0 == nil { $0 = status } }
    }
}
