import FerryRPC
import NIOPosix
import Synchronization

/// Passes bytes through unchanged, so transport tests need no message format.
struct BytesCoder: MessageSerializer, MessageDeserializer {
    func serialize(_ message: [UInt8]) throws -> [UInt8] { message }
    func deserialize(_ bytes: [UInt8]) throws -> [UInt8] { bytes }
}

/// Test methods covering every call shape, plus ones that block, fail or echo metadata.
struct EchoService: RPCService {
    static let get = MethodDescriptor(service: "test.Echo", method: "Get")
    static let collect = MethodDescriptor(service: "test.Echo", method: "Collect")
    static let expand = MethodDescriptor(service: "test.Echo", method: "Expand")
    static let update = MethodDescriptor(service: "test.Echo", method: "Update")
    static let block = MethodDescriptor(service: "test.Echo", method: "Block")
    static let slow = MethodDescriptor(service: "test.Echo", method: "Slow")
    static let whoAmI = MethodDescriptor(service: "test.Echo", method: "WhoAmI")
    /// Answers the client's address as the server saw it.
    static let peerAddress = MethodDescriptor(service: "test.Echo", method: "PeerAddress")
    /// Answers `[1]` when its handler runs on an event loop, `[0]` otherwise; runs on its loop.
    static let placed = MethodDescriptor(service: "test.Echo", method: "Placed")
    /// The same answer per request, as a stream that runs on its loop.
    static let placedStream = MethodDescriptor(service: "test.Echo", method: "PlacedStream")
    /// The same answer, from a method with no placement.
    static let unplaced = MethodDescriptor(service: "test.Echo", method: "Unplaced")

    /// Records the calls that reached a handler that counts them (Block, Slow, Collect) and the cancelled ones.
    let events = Events()

    final class Events: Sendable {
        private let state = Mutex<(started: Int, cancelled: Int)>((0, 0))
        var started: Int { state.withLock { $0.started } }
        var cancelled: Int { state.withLock { $0.cancelled } }
        func recordStart() { state.withLock { $0.started += 1 } }
        func recordCancel() { state.withLock { $0.cancelled += 1 } }
    }

    func registerMethods(with router: inout RPCRouter) {
        let coder = BytesCoder()
        let events = self.events
        router.registerUnary(Self.get, deserializer: coder, serializer: coder) { request, _ in request }
        router.registerClientStreaming(Self.collect, deserializer: coder, serializer: coder) { requests, _ in
            events.recordStart()
            var all: [UInt8] = []
            for try await request in requests { all += request }
            return all
        }
        router.registerServerStreaming(Self.expand, deserializer: coder, serializer: coder) { request, writer, context in
            let count = Int(request.first ?? 0)
            for index in 0..<count {
                try await writer.write([UInt8(index)])
            }
            var trailers = Metadata()
            for entry in context.metadata { trailers.add(entry.value, forKey: "echo-\(entry.key)") }
            return trailers
        }
        router.registerBidirectional(Self.update, deserializer: coder, serializer: coder) { requests, writer, _ in
            for try await request in requests {
                try await writer.write(request.reversed())
            }
            return [:]
        }
        router.registerUnary(Self.block, deserializer: coder, serializer: coder) { request, _ in
            events.recordStart()
            do {
                try await Task.sleep(for: .seconds(60))
            } catch {
                events.recordCancel()
                throw error
            }
            return request
        }
        router.registerUnary(Self.slow, deserializer: coder, serializer: coder) { request, _ in
            events.recordStart()
            try await Task.sleep(for: .milliseconds(Int(request.first ?? 0) * 10))
            return request
        }
        router.registerUnary(Self.whoAmI, deserializer: coder, serializer: coder) { _, context in
            Array((context.peer.certificateSANs.joined(separator: ",")).utf8)
        }
        router.registerUnary(Self.peerAddress, deserializer: coder, serializer: coder) { _, context in
            Array(context.peer.address.utf8)
        }
        @Sendable func onLoop() -> [UInt8] { [MultiThreadedEventLoopGroup.currentEventLoop == nil ? 0 : 1] }
        router.registerUnary(Self.placed, deserializer: coder, serializer: coder) { _, _ in onLoop() }
        router.registerUnary(Self.unplaced, deserializer: coder, serializer: coder) { _, _ in onLoop() }
        router.registerBidirectional(Self.placedStream, deserializer: coder, serializer: coder) { requests, writer, _ in
            for try await _ in requests {
                try await Task.sleep(for: .milliseconds(1))  // Resumed by a timer, still on its loop.
                try await writer.write(onLoop())
            }
            return [:]
        }
        router.runOnConnectionLoop(Self.placed)
        router.runOnConnectionLoop(Self.placedStream)
    }
}
