/// A `ferry.v1` protobuf message as a Swift value, encoded and decoded with protobuf-c.
///
/// Every message struct in ``FerryV1`` conforms. Encoding lends the value's contents to
/// protobuf-c only for the duration of the call, and decoding copies everything out of the
/// unpacked C message before freeing it, so no C memory outlives a call.
///
/// ```swift
/// let request = FerryV1.StartSyncRequest(storageID: 42, options: .init(onlyNew: true))
/// let bytes = try request.protobufBytes()
/// let decoded = try FerryV1.StartSyncRequest(protobufBytes: bytes)
/// assert(decoded == request)
/// ```
///
/// Use ``ProtobufSerializer`` and ``ProtobufDeserializer`` to plug messages into FerryRPC.
public protocol FerryMessage: Sendable, Hashable {
    /// The message's full protobuf name, such as `ferry.v1.Storage`.
    static var protoMessageName: String { get }

    /// Decodes a message from its protobuf encoding.
    ///
    /// Fields this build does not know are skipped; enum numbers it does not know are kept as
    /// `.unrecognized`.
    ///
    /// - Parameter bytes: The encoding of exactly one message.
    /// - Throws: ``ProtoCodingError`` with code ``ProtoCodingError/Code/malformedBytes`` if
    ///   protobuf-c cannot parse the bytes, or ``ProtoCodingError/Code/invalidUTF8`` if a string
    ///   field is not valid UTF-8.
    init(protobufBytes bytes: [UInt8]) throws

    /// Encodes the message.
    ///
    /// Fields at their zero value are not written, as proto3 prescribes.
    ///
    /// - Returns: The protobuf encoding.
    /// - Throws: ``ProtoCodingError`` with code ``ProtoCodingError/Code/unrepresentableString``
    ///   if a string contains U+0000: protobuf-c keeps strings NUL-terminated, so it would cut
    ///   the string short.
    func protobufBytes() throws -> [UInt8]
}

/// A `ferry.v1` protobuf enum as a Swift enum.
///
/// Every proto enum has a zero case `.unspecified` and an extra case `.unrecognized(Int32)` for
/// numbers this build does not know (sent by a newer peer), which encode back unchanged.
/// Equality and hashing go by wire number.
public protocol FerryEnum: RawRepresentable, CaseIterable, Hashable, Sendable, CustomStringConvertible
where RawValue == Int32, AllCases == [Self] {
    /// Creates the value for a wire number; it never fails.
    ///
    /// - Parameter rawValue: The wire number.
    init(rawValue: Int32)
}

extension FerryEnum {
    /// Whether this build knows the value (it is not `.unrecognized`).
    public var isRecognized: Bool {
        Self.allCases.contains { $0.rawValue == rawValue }
    }
}
