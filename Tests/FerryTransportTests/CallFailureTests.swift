import FerryRPC
import Synchronization
import FerryTransport
import Testing

@Suite("Deadlines, cancellation, limits and unknown methods")
struct CallFailureTests {
    let coder = BytesCoder()

    @Test("A call past its deadline fails with DEADLINE_EXCEEDED and the handler is cancelled")
    func deadline() async throws {
        try await TestServer.with { server in
            try await server.withClient { client in
                // Connect first: under the load of the other suites, the TLS handshake alone has
                // taken longer than the deadline, and a call cancelled before its handler ran
                // records nothing.
                _ = try await client.unary(EchoService.get, request: [0], serializer: coder, deserializer: coder)
                let error = await #expect(throws: RPCError.self) {
                    try await client.unary(
                        EchoService.block, request: [1], serializer: coder, deserializer: coder,
                        options: CallOptions(timeout: .seconds(2)))
                }
                #expect(error?.code == .deadlineExceeded)
                #expect(server.echo.events.started == 1)
                let handlerCancelled = try await waitUntil { server.echo.events.cancelled == 1 }
                #expect(handlerCancelled)
            }
        }
    }

    @Test("Cancelling the calling task cancels the server handler")
    func cancellation() async throws {
        try await TestServer.with { server in
            try await server.withClient { client in
                let call = Task {
                    try await client.unary(EchoService.block, request: [1], serializer: coder, deserializer: coder)
                }
                let handlerStarted = try await waitUntil { server.echo.events.started == 1 }
                #expect(handlerStarted)
                call.cancel()
                let result = await call.result
                #expect(throws: RPCError.self) { try result.get() }
                if case .failure(let error as RPCError) = result {
                    #expect(error.code == .cancelled)
                }
                let handlerCancelled = try await waitUntil { server.echo.events.cancelled == 1 }
                #expect(handlerCancelled)
            }
        }
    }

    @Test(
        "A call cancelled while it waits for the server's stream limit ends CANCELLED and never runs",
        arguments: QueuedCall.allCases)
    func cancelledWhileQueued(_ shape: QueuedCall) async throws {
        try await withOneStreamTaken { server, client in
            let queued = CallOutcome()
            let call = Task {
                await queued.record { try await shape.make(on: client) }
            }
            try await Task.sleep(for: .milliseconds(100))  // Either way, the outcome is the same.
            call.cancel()
            #expect(try await waitUntil { queued.ended }, "the cancelled call still waits for a stream")
            #expect(queued.errorCode == .cancelled)
        }
    }

    @Test(
        "A call whose deadline passes while it waits for the server's stream limit ends DEADLINE_EXCEEDED",
        arguments: QueuedCall.allCases)
    func deadlineWhileQueued(_ shape: QueuedCall) async throws {
        try await withOneStreamTaken { server, client in
            let error = await #expect(throws: RPCError.self) {
                try await shape.make(on: client, options: CallOptions(timeout: .milliseconds(300)))
            }
            #expect(error?.code == .deadlineExceeded)
        }
    }

    /// Runs `body` while the server's only stream is held by a blocked call, then frees it and
    /// checks that the connection still serves and that no call but the blocked one ran.
    private func withOneStreamTaken(_ body: @Sendable (TestServer, RPCClient) async throws -> Void) async throws {
        var configuration = ServerTransportConfiguration()
        configuration.maxConcurrentStreams = 1
        try await TestServer.with(configuration: configuration) { server in
            try await server.withClient { client in
                let blocking = Task {
                    try await client.unary(EchoService.block, request: [1], serializer: coder, deserializer: coder)
                }
                #expect(try await waitUntil { server.echo.events.started == 1 })
                try await body(server, client)
                blocking.cancel()
                _ = await blocking.result
                #expect(try await client.unary(EchoService.get, request: [5], serializer: coder, deserializer: coder) == [5])
                #expect(server.echo.events.started == 1)
            }
        }
    }

    @Test("An oversized request fails with RESOURCE_EXHAUSTED and the connection still serves")
    func oversizedMessage() async throws {
        var configuration = ServerTransportConfiguration()
        configuration.maxMessageSize = 1024
        try await TestServer.with(configuration: configuration) { server in
            try await server.withClient { client in
                let error = await #expect(throws: RPCError.self) {
                    try await client.unary(
                        EchoService.get, request: Array(repeating: 7, count: 4096),
                        serializer: coder, deserializer: coder)
                }
                #expect(error?.code == .resourceExhausted)
                let small = try await client.unary(EchoService.get, request: [9], serializer: coder, deserializer: coder)
                #expect(small == [9])
            }
        }
    }

    @Test("An unknown method fails with UNIMPLEMENTED")
    func unknownMethod() async throws {
        try await TestServer.with { server in
            try await server.withClient { client in
                let error = await #expect(throws: RPCError.self) {
                    try await client.unary(
                        MethodDescriptor(service: "test.Echo", method: "Nope"),
                        request: [1], serializer: coder, deserializer: coder)
                }
                #expect(error?.code == .unimplemented)
            }
        }
    }
}

/// How a call run in another task ended, readable while that task may still be waiting.
private final class CallOutcome: Sendable {
    private let outcome = Mutex<Result<[UInt8], any Error>?>(nil)

    func record(_ call: () async throws -> [UInt8]) async {
        let result: Result<[UInt8], any Error>
        do {
            result = .success(try await call())
        } catch {
            result = .failure(error)
        }
        outcome.withLock { $0 = result }
    }

    var ended: Bool { outcome.withLock { $0 != nil } }

    /// The status code the call failed with, if it failed with an ``RPCError``.
    var errorCode: Status.Code? {
        outcome.withLock { outcome in
            guard case .failure(let error as RPCError)? = outcome else { return nil }
            return error.code
        }
    }
}

/// A call that has to wait for the server's stream limit, in the two ways a client opens one:
/// with its only request (the caller holds the stream at once), or streaming its requests (the
/// caller waits for the opening).
enum QueuedCall: CaseIterable, Sendable, CustomTestStringConvertible {
    case unary
    case clientStreaming

    var testDescription: String { self == .unary ? "unary" : "client-streaming" }

    /// Makes the call; a unary one runs `EchoService.slow`, which counts as a started handler.
    func make(on client: RPCClient, options: CallOptions = .defaults) async throws -> [UInt8] {
        let coder = BytesCoder()
        switch self {
        case .unary:
            return try await client.unary(EchoService.slow, request: [0], serializer: coder, deserializer: coder, options: options)
        case .clientStreaming:
            return try await client.clientStreaming(EchoService.collect, serializer: coder, deserializer: coder, options: options) {
                try await $0.write([0])
            }
        }
    }
}
