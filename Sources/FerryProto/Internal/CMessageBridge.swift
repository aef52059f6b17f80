// The seam between the generated Swift message types and the protoc-c structs.
//
// Ownership, in one place:
// - Decoding: `…__unpack` returns a tree of C memory owned by exactly one caller,
//   `CMessageCoding.decode`, which copies every field into Swift values and frees the tree with
//   `…__free_unpacked` in a `defer`, so it is freed on every path, including a throw midway.
// - Encoding: the C struct is built on the stack from `…__init()`, and everything it points to
//   (strings, bytes, arrays, sub-messages) is owned by a `CAllocationScope` that frees it all
//   when `CMessageCoding.encode` returns or throws. protobuf-c only reads the tree.

/// A generated message type that converts to and from its protoc-c struct.
///
/// The generated `+CBridge` files conform every message; the static functions forward to the
/// protoc-c functions of that message.
protocol CMessageBridge: FerryMessage {
    /// The protoc-c struct, e.g. `Ferry__V1__Storage`.
    associatedtype CMessage: BitwiseCopyable

    /// Copies a C message, and everything it points to, into a Swift value.
    ///
    /// - Parameter cMessage: A message unpacked by protobuf-c; it is only read.
    /// - Throws: ``ProtoCodingError`` if a string is not valid UTF-8.
    init(cMessage: CMessage) throws

    /// Builds the C form of the message for packing.
    ///
    /// - Parameter scope: Owns every pointer stored in the result; the result must not outlive
    ///   it.
    /// - Returns: A struct initialised by the message's `…__init()` function.
    /// - Throws: ``ProtoCodingError`` if a string contains U+0000.
    func cMessage(in scope: CAllocationScope) throws -> CMessage

    /// Calls `…__unpack` with the default allocator; the result must be given to
    /// ``cFreeUnpacked(_:)``.
    static func cUnpack(_ length: Int, _ data: UnsafePointer<UInt8>) -> UnsafeMutablePointer<CMessage>?

    /// Calls `…__free_unpacked` with the default allocator.
    static func cFreeUnpacked(_ message: UnsafeMutablePointer<CMessage>)

    /// Calls `…__get_packed_size`.
    static func cPackedSize(_ message: UnsafePointer<CMessage>) -> Int

    /// Calls `…__pack`; `out` must have room for ``cPackedSize(_:)`` bytes.
    static func cPack(_ message: UnsafePointer<CMessage>, _ out: UnsafeMutablePointer<UInt8>) -> Int
}

/// A generated enum that converts to and from its protoc-c enum.
///
/// protobuf-c stores an enum field's wire number as is, without checking it against the known
/// values, so numbers this build does not know survive the trip as `.unrecognized`.
protocol CEnumBridge: FerryEnum {
    /// The protoc-c enum, e.g. `Ferry__V1__StorageKind`.
    associatedtype CEnum: BitwiseCopyable

    /// Converts a protoc-c value.
    init(cValue: CEnum)

    /// The protoc-c value with the same wire number.
    var cValue: CEnum { get }
}

/// Encoding and decoding of any generated message through protobuf-c.
enum CMessageCoding {
    /// Decodes a message, freeing the unpacked C message on every path.
    ///
    /// - Parameters:
    ///   - type: The message type.
    ///   - bytes: The encoding of one message.
    /// - Returns: The message.
    /// - Throws: ``ProtoCodingError`` if the bytes are not a valid message.
    static func decode<Message: CMessageBridge>(_ type: Message.Type, from bytes: [UInt8]) throws -> Message {
        let unpacked = bytes.withUnsafeBufferPointer { buffer in
            if let base = buffer.baseAddress {
                return Message.cUnpack(buffer.count, base)
            }
            // An empty array may have no storage; protobuf-c reads nothing for length 0 but is
            // still handed a valid pointer.
            let empty: UInt8 = 0
            return withUnsafePointer(to: empty) { Message.cUnpack(0, $0) }
        }
        guard let unpacked else {
            throw ProtoCodingError(code: .malformedBytes, protoName: Message.protoMessageName)
        }
        defer { Message.cFreeUnpacked(unpacked) }
        return try Message(cMessage: unpacked.pointee)
    }

    /// Encodes a message; all C memory it needs is freed before returning or throwing.
    ///
    /// - Parameter message: The message.
    /// - Returns: The protobuf encoding.
    /// - Throws: ``ProtoCodingError`` if a string contains U+0000.
    static func encode<Message: CMessageBridge>(_ message: Message) throws -> [UInt8] {
        try CAllocationScope.withScope { scope in
            let cMessage = try message.cMessage(in: scope)
            return withUnsafePointer(to: cMessage) { pointer in
                let size = Message.cPackedSize(pointer)
                return [UInt8](unsafeUninitializedCapacity: size) { buffer, initializedCount in
                    guard size > 0, let base = buffer.baseAddress else {
                        initializedCount = 0
                        return
                    }
                    let written = Message.cPack(pointer, base)
                    // protobuf-c computes both from the same tree; a mismatch is a bug, and
                    // writing past the announced size would already have corrupted memory.
                    precondition(written == size, "protobuf-c packed \(written) bytes, announced \(size)")
                    initializedCount = written
                }
            }
        }
    }
}
