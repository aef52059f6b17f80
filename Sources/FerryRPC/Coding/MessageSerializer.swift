/// Turns a message into the bytes carried by one MESSAGE frame.
///
/// The RPC core never looks inside messages; a serializer is the seam where a message format
/// (protobuf-c in Ferry, anything in tests) plugs in.
public protocol MessageSerializer<Message>: Sendable {
    /// The message type this serializer encodes.
    associatedtype Message

    /// Encodes a message.
    ///
    /// - Parameter message: The message to encode.
    /// - Returns: The encoded bytes.
    /// - Throws: ``RPCError`` with code `.internal` if the message cannot be encoded.
    func serialize(_ message: Message) throws -> [UInt8]
}

/// Turns the bytes of one MESSAGE frame back into a message.
public protocol MessageDeserializer<Message>: Sendable {
    /// The message type this deserializer decodes.
    associatedtype Message

    /// Decodes a message.
    ///
    /// - Parameter bytes: The bytes of exactly one message.
    /// - Returns: The decoded message.
    /// - Throws: ``RPCError`` with code `.invalidArgument` when the bytes are not a valid message.
    func deserialize(_ bytes: [UInt8]) throws -> Message
}
