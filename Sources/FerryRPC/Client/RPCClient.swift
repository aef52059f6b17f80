/// Makes calls over a client transport with typed messages.
///
/// Client-streaming calls are built on
/// ``bidirectional(_:serializer:deserializer:options:requestProducer:onResponse:)``; unary and
/// server-streaming calls hand their one request to the transport with the call's opening.
/// If the calling task is cancelled, the call is cancelled on the server too and throws
/// `CANCELLED`; if its timeout passes, it throws `DEADLINE_EXCEEDED`.
public struct RPCClient: Sendable {
    private let transport: any ClientTransport

    /// Creates a client.
    ///
    /// - Parameter transport: The transport that carries calls.
    public init(transport: any ClientTransport) {
        self.transport = transport
    }

    /// Makes a bidirectional-streaming call.
    ///
    /// Requests are produced concurrently with response handling. When `onResponse` returns
    /// before the server finished, the call is cancelled.
    /// - Parameters:
    ///   - method: The method.
    ///   - serializer: Encodes requests.
    ///   - deserializer: Decodes responses.
    ///   - options: Metadata and timeout.
    ///   - requestProducer: Writes the requests; the stream is half-closed when it returns.
    ///   - onResponse: Consumes the responses and returns the call's result.
    /// - Returns: What `onResponse` returned.
    /// - Throws: ``RPCError`` with the call's failing status.
    public func bidirectional<Request: Sendable, Response: Sendable, Result: Sendable>(
        _ method: MethodDescriptor,
        serializer: some MessageSerializer<Request>,
        deserializer: some MessageDeserializer<Response>,
        options: CallOptions = .defaults,
        requestProducer: @escaping @Sendable (RPCWriter<Request>) async throws -> Void,
        onResponse: @escaping @Sendable (ClientResponseStream<Response>) async throws -> Result
    ) async throws -> Result {
        try await Self.reportingCancellation {
            try await call(method, serializer, deserializer, options, requestProducer, onResponse)
        }
    }

    /// Runs a call; a `CancellationError` from it becomes `CANCELLED`.
    private static func reportingCancellation<Result>(_ call: () async throws -> Result) async throws -> Result {
        do {
            return try await call()
        } catch is CancellationError {
            throw RPCError(code: .cancelled, message: "The call was cancelled")
        }
    }

    private func call<Request: Sendable, Response: Sendable, Result: Sendable>(
        _ method: MethodDescriptor,
        _ serializer: some MessageSerializer<Request>,
        _ deserializer: some MessageDeserializer<Response>,
        _ options: CallOptions,
        _ requestProducer: @escaping @Sendable (RPCWriter<Request>) async throws -> Void,
        _ onResponse: @escaping @Sendable (ClientResponseStream<Response>) async throws -> Result
    ) async throws -> Result {
        let stream = try await transport.openStream(descriptor: method, options: options, onlyRequest: nil)
        let responses = ClientResponseStream(parts: stream.responses, deserializer: deserializer)
        return try await withTaskCancellationHandler {
            try await withThrowingTaskGroup(of: Void.self, returning: Result.self) { group in
                group.addTask {
                    do {
                        let writer = RPCWriter<Request> { try await stream.write(serializer.serialize($0)) }
                        try await requestProducer(writer)
                        stream.finish()
                    } catch let error as RPCError where error.code == .unavailable || error.code == .cancelled {
                        // The stream closed under the producer; the response side reports why.
                    } catch {
                        stream.cancel(code: .cancelled)
                        throw error
                    }
                }
                do {
                    let result = try await onResponse(responses)
                    stream.cancel(code: .cancelled)  // No-op when the server already finished.
                    try await group.waitForAll()
                    return result
                } catch {
                    stream.cancel(code: .cancelled)
                    group.cancelAll()
                    throw error
                }
            }
        } onCancel: {
            stream.cancel(code: .cancelled)
        }
    }

    /// A call with one request: it goes out with the call's headers, so no writer task runs
    /// beside the responses and the call costs one hop to the connection's loop.
    private func callWithOnlyRequest<Request: Sendable, Response: Sendable, Result: Sendable>(
        _ method: MethodDescriptor,
        _ request: Request,
        _ serializer: some MessageSerializer<Request>,
        _ deserializer: some MessageDeserializer<Response>,
        _ options: CallOptions,
        _ onResponse: @escaping @Sendable (ClientResponseStream<Response>) async throws -> Result
    ) async throws -> Result {
        try await Self.reportingCancellation {
            let message = try serializer.serialize(request)
            let stream = try await transport.openStream(descriptor: method, options: options, onlyRequest: message)
            let responses = ClientResponseStream(parts: stream.responses, deserializer: deserializer)
            return try await withTaskCancellationHandler {
                do {
                    let result = try await onResponse(responses)
                    stream.cancel(code: .cancelled)  // No-op when the server already finished.
                    return result
                } catch {
                    stream.cancel(code: .cancelled)
                    throw error
                }
            } onCancel: {
                stream.cancel(code: .cancelled)
            }
        }
    }

    /// Makes a server-streaming call.
    ///
    /// - Parameters:
    ///   - method: The method.
    ///   - request: The request.
    ///   - serializer: Encodes the request.
    ///   - deserializer: Decodes responses.
    ///   - options: Metadata and timeout.
    ///   - onResponse: Consumes the responses.
    /// - Returns: What `onResponse` returned.
    /// - Throws: ``RPCError`` with the call's failing status.
    public func serverStreaming<Request: Sendable, Response: Sendable, Result: Sendable>(
        _ method: MethodDescriptor,
        request: Request,
        serializer: some MessageSerializer<Request>,
        deserializer: some MessageDeserializer<Response>,
        options: CallOptions = .defaults,
        onResponse: @escaping @Sendable (ClientResponseStream<Response>) async throws -> Result
    ) async throws -> Result {
        try await callWithOnlyRequest(method, request, serializer, deserializer, options, onResponse)
    }

    /// Makes a client-streaming call.
    ///
    /// - Parameters:
    ///   - method: The method.
    ///   - serializer: Encodes requests.
    ///   - deserializer: Decodes the response.
    ///   - options: Metadata and timeout.
    ///   - requestProducer: Writes the requests.
    /// - Returns: The single response.
    /// - Throws: ``RPCError`` with the call's failing status.
    public func clientStreaming<Request: Sendable, Response: Sendable>(
        _ method: MethodDescriptor,
        serializer: some MessageSerializer<Request>,
        deserializer: some MessageDeserializer<Response>,
        options: CallOptions = .defaults,
        requestProducer: @escaping @Sendable (RPCWriter<Request>) async throws -> Void
    ) async throws -> Response {
        try await bidirectional(
            method,
            serializer: serializer,
            deserializer: deserializer,
            options: options,
            requestProducer: requestProducer,
            onResponse: Self.single
        )
    }

    /// Makes a unary call.
    ///
    /// - Parameters:
    ///   - method: The method.
    ///   - request: The request.
    ///   - serializer: Encodes the request.
    ///   - deserializer: Decodes the response.
    ///   - options: Metadata and timeout.
    /// - Returns: The response.
    /// - Throws: ``RPCError`` with the call's failing status.
    public func unary<Request: Sendable, Response: Sendable>(
        _ method: MethodDescriptor,
        request: Request,
        serializer: some MessageSerializer<Request>,
        deserializer: some MessageDeserializer<Response>,
        options: CallOptions = .defaults
    ) async throws -> Response {
        try await callWithOnlyRequest(method, request, serializer, deserializer, options, Self.single)
    }

    @Sendable
    private static func single<Response>(_ responses: ClientResponseStream<Response>) async throws -> Response {
        var iterator = responses.makeAsyncIterator()
        guard let response = try await iterator.next() else {
            throw RPCError(code: .internal, message: "The server sent no response message")
        }
        guard try await iterator.next() == nil else {
            throw RPCError(code: .internal, message: "The server sent more than one response message")
        }
        return response
    }
}
