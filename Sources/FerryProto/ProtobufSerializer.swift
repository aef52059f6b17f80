public import FerryRPC

/// Encodes ``FerryMessage`` values for FerryRPC with protobuf-c.
///
/// ```swift
/// let serializer = ProtobufSerializer<FerryV1.GetStorageRequest>()
/// let bytes = try serializer.serialize(FerryV1.GetStorageRequest(id: 7))
/// ```
public struct ProtobufSerializer<Message: FerryMessage>: MessageSerializer {
    /// Creates a serializer.
    public init() {}

    /// Encodes a message.
    ///
    /// - Parameter message: The message to encode.
    /// - Returns: Its protobuf encoding.
    /// - Throws: `RPCError` with code `.internal` if the message cannot be encoded (a string
    ///   containing U+0000); the ``ProtoCodingError`` is its cause.
    public func serialize(_ message: Message) throws -> [UInt8] {
        do {
            return try message.protobufBytes()
        } catch {
            throw RPCError(
                code: .internal,
                message: "Failed to encode \(Message.protoMessageName)",
                cause: error
            )
        }
    }
}

/// Decodes ``FerryMessage`` values for FerryRPC with protobuf-c.
public struct ProtobufDeserializer<Message: FerryMessage>: MessageDeserializer {
    /// Creates a deserializer.
    public init() {}

    /// Decodes a message.
    ///
    /// - Parameter bytes: The encoding of exactly one message.
    /// - Returns: The decoded message.
    /// - Throws: `RPCError` with code `.invalidArgument` if the bytes are not a valid message;
    ///   the ``ProtoCodingError`` is its cause.
    public func deserialize(_ bytes: [UInt8]) throws -> Message {
        do {
            return try Message(protobufBytes: bytes)
        } catch {
            throw RPCError(
                code: .invalidArgument,
                message: "Invalid \(Message.protoMessageName) message",
                cause: error
            )
        }
    }
}
