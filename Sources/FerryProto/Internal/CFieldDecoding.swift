// ProtobufCBinaryData is declared by <protobuf-c/protobuf-c.h>, which CFerryProto's headers
// include, so Swift may attribute it to either module: import both.
internal import CFerryProto
internal import CProtobufC

/// Copies field values out of a message unpacked by protobuf-c.
///
/// Everything returned is a Swift value; no pointer into the unpacked message is kept, so the
/// message can be freed as soon as decoding ends.
enum CFieldDecoding {
    /// Copies a C string, rejecting invalid UTF-8 as proto3 requires.
    ///
    /// protobuf-c does not check UTF-8, and its strings end at the first NUL: a string sent with
    /// an embedded U+0000 arrives cut short at it (Ferry's own encoder refuses such strings).
    ///
    /// - Parameters:
    ///   - pointer: The field; NULL reads as empty.
    ///   - field: The full proto name of the field, for the error.
    /// - Returns: The string.
    /// - Throws: ``ProtoCodingError`` if the bytes are not valid UTF-8.
    static func string(_ pointer: UnsafePointer<CChar>?, field: String) throws -> String {
        guard let pointer else {
            return ""
        }
        guard let string = String(validatingCString: pointer) else {
            throw ProtoCodingError(code: .invalidUTF8, protoName: field)
        }
        return string
    }

    /// Copies a protobuf-c binary value.
    ///
    /// - Parameter data: The field.
    /// - Returns: The bytes.
    static func bytes(_ data: ProtobufCBinaryData) -> [UInt8] {
        guard data.len > 0, let base = data.data else {
            return []
        }
        return Array(UnsafeBufferPointer(start: base, count: data.len))
    }

    /// Converts an optional sub-message field.
    ///
    /// - Parameters:
    ///   - pointer: The field; NULL when the sub-message is absent.
    ///   - type: The Swift message type.
    /// - Returns: The sub-message, or `nil` if absent.
    /// - Throws: ``ProtoCodingError`` from decoding the sub-message.
    static func message<Message: CMessageBridge>(
        _ pointer: UnsafeMutablePointer<Message.CMessage>?,
        as type: Message.Type
    ) throws -> Message? {
        guard let pointer else {
            return nil
        }
        return try Message(cMessage: pointer.pointee)
    }

    // MARK: Repeated fields, from protobuf-c's (`n_x`, `x`) pairs

    /// Converts a repeated field element by element.
    ///
    /// - Parameters:
    ///   - base: The C array.
    ///   - count: Its element count.
    ///   - field: The full proto name of the field, for the error.
    ///   - transform: Converts one element.
    /// - Returns: The converted elements.
    /// - Throws: What `transform` throws, or ``ProtoCodingError`` if a non-empty array or one of
    ///   its message elements is NULL (protobuf-c never produces either).
    static func repeated<Element, Result>(
        _ base: UnsafeMutablePointer<Element>?,
        count: Int,
        field: String,
        _ transform: (Element) throws -> Result
    ) throws -> [Result] {
        guard count > 0 else {
            return []
        }
        guard let base else {
            throw ProtoCodingError(code: .malformedBytes, protoName: field)
        }
        return try UnsafeBufferPointer(start: base, count: count).map(transform)
    }

    /// Copies a repeated scalar field.
    static func scalars<Element>(
        _ base: UnsafeMutablePointer<Element>?,
        count: Int,
        field: String
    ) throws -> [Element] {
        try repeated(base, count: count, field: field) { $0 }
    }

    /// Copies a repeated `bool` field.
    static func bools(
        _ base: UnsafeMutablePointer<protobuf_c_boolean>?,
        count: Int,
        field: String
    ) throws -> [Bool] {
        try repeated(base, count: count, field: field) { $0 != 0 }
    }

    /// Copies a repeated `string` field, rejecting invalid UTF-8.
    static func strings(
        _ base: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
        count: Int,
        field: String
    ) throws -> [String] {
        try repeated(base, count: count, field: field) { try string($0, field: field) }
    }

    /// Copies a repeated `bytes` field.
    static func byteArrays(
        _ base: UnsafeMutablePointer<ProtobufCBinaryData>?,
        count: Int,
        field: String
    ) throws -> [[UInt8]] {
        try repeated(base, count: count, field: field) { bytes($0) }
    }

    /// Converts a repeated enum field; unknown numbers are kept.
    static func enums<Value: CEnumBridge>(
        _ base: UnsafeMutablePointer<Value.CEnum>?,
        count: Int,
        as type: Value.Type,
        field: String
    ) throws -> [Value] {
        try repeated(base, count: count, field: field) { Value(cValue: $0) }
    }

    /// Converts a repeated sub-message field.
    static func messages<Message: CMessageBridge>(
        _ base: UnsafeMutablePointer<UnsafeMutablePointer<Message.CMessage>?>?,
        count: Int,
        as type: Message.Type,
        field: String
    ) throws -> [Message] {
        try repeated(base, count: count, field: field) { element in
            guard let element else {
                throw ProtoCodingError(code: .malformedBytes, protoName: field)
            }
            return try Message(cMessage: element.pointee)
        }
    }
}
