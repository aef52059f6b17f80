/// A sink that writes messages of one type, used for streaming requests and responses.
///
/// `write` suspends while the connection is not writable, so a fast producer is held back
/// instead of buffering without bound.
public struct RPCWriter<Element: Sendable>: Sendable {
    private let sink: @Sendable (Element) async throws -> Void

    /// Creates a writer from a closure that writes one element.
    ///
    /// - Parameter sink: Writes one element, suspending for backpressure.
    public init(_ sink: @escaping @Sendable (Element) async throws -> Void) {
        self.sink = sink
    }

    /// Writes one message.
    ///
    /// - Parameter element: The message.
    /// - Throws: ``RPCError`` when the stream is closed (cancelled, deadline passed, connection lost).
    public func write(_ element: Element) async throws {
        try await sink(element)
    }

    /// Writes several messages in order.
    ///
    /// - Parameter elements: The messages.
    /// - Throws: ``RPCError`` when the stream is closed.
    public func write(contentsOf elements: some Sequence<Element>) async throws {
        for element in elements {
            try await sink(element)
        }
    }

    /// A writer that serializes each message before handing it to a byte writer.
    ///
    /// - Parameters:
    ///   - bytes: The writer of raw messages.
    ///   - serializer: Encodes one message.
    /// - Returns: A writer of typed messages.
    public static func encoding(
        into bytes: RPCWriter<[UInt8]>,
        with serializer: some MessageSerializer<Element>
    ) -> RPCWriter<Element> {
        RPCWriter { try await bytes.write(serializer.serialize($0)) }
    }
}
