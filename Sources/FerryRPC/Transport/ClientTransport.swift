/// One part of a call's response stream, as the client transport delivers it.
public enum ClientResponsePart: Sendable {
    /// Initial response metadata.
    case metadata(Metadata)
    /// One response message.
    case message([UInt8])
    /// The end of the call: its status and trailing metadata.
    case trailers(Status, Metadata)
}

/// An open call on a client transport.
public protocol ClientStream: Sendable {
    /// The response parts; the sequence ends after `.trailers`, which is always the last part
    /// (a transport failure is reported as trailers with `UNAVAILABLE` or `INTERNAL`).
    var responses: RPCAsyncSequence<ClientResponsePart> { get }

    /// Sends one request message.
    ///
    /// - Parameter message: The encoded message.
    /// - Throws: ``RPCError`` when the stream is closed.
    func write(_ message: [UInt8]) async throws

    /// Half-closes the stream: no more request messages.
    func finish()

    /// Abandons the call; the server is told to stop. Idempotent.
    ///
    /// - Parameter code: Why, normally `.cancelled`.
    func cancel(code: Status.Code)
}

/// Opens calls to a server.
public protocol ClientTransport: Sendable {
    /// Opens a call, connecting first if needed.
    ///
    /// - Parameters:
    ///   - descriptor: The method to call.
    ///   - options: Metadata and timeout.
    ///   - onlyRequest: The call's only request (a unary or server-streaming call), sent with the
    ///     call's headers and followed by the end of its requests, so that the call needs no
    ///     writer; `nil` to write requests through the returned stream.
    /// - Returns: The open call.
    /// - Throws: ``RPCError`` `UNAVAILABLE` when no connection can be had, `RESOURCE_EXHAUSTED`
    ///   when `onlyRequest` is larger than the server accepts.
    func openStream(descriptor: MethodDescriptor, options: CallOptions, onlyRequest: [UInt8]?) async throws -> any ClientStream

    /// Closes all connections; calls in flight fail with `UNAVAILABLE`.
    func close() async
}
