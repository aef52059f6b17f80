// ProtobufCBinaryData is declared by <protobuf-c/protobuf-c.h>, which CFerryProto's headers
// include, so Swift may attribute it to either module: import both.
internal import CFerryProto
internal import CProtobufC

/// Owns the C memory that a protobuf-c message being encoded points into.
///
/// protobuf-c packs from a tree of C structs whose strings, byte buffers, arrays and
/// sub-messages are all pointers. While a Swift value is converted for `…__pack`, each of those
/// is allocated here, and ``withScope(_:)`` frees every one when the body returns or throws.
/// Nothing allocated here may be used after the scope ends.
///
/// Only trivial (`BitwiseCopyable`) C values are stored, so memory is freed without
/// deinitialising it.
final class CAllocationScope {
    private var allocations: [UnsafeMutableRawPointer] = []

    private init() {}

    deinit {
        assert(allocations.isEmpty, "a CAllocationScope must be ended by withScope")
    }

    /// Runs `body` with a fresh scope and frees everything allocated in it afterwards.
    ///
    /// - Parameter body: Builds C values in the scope and uses them; must not let any escape.
    /// - Returns: What `body` returns.
    /// - Throws: What `body` throws, after freeing the scope.
    static func withScope<Result>(_ body: (CAllocationScope) throws -> Result) rethrows -> Result {
        let scope = CAllocationScope()
        defer { scope.deallocateAll() }
        return try body(scope)
    }

    private func deallocateAll() {
        for pointer in allocations {
            pointer.deallocate()
        }
        allocations.removeAll()
    }

    private func allocate<Element: BitwiseCopyable>(_: Element.Type, count: Int) -> UnsafeMutablePointer<Element> {
        let pointer = UnsafeMutablePointer<Element>.allocate(capacity: count)
        allocations.append(UnsafeMutableRawPointer(pointer))
        return pointer
    }

    /// Copies a string into a NUL-terminated C string.
    ///
    /// - Parameters:
    ///   - value: The string.
    ///   - field: The full proto name of the field, for the error.
    /// - Returns: A C string owned by the scope.
    /// - Throws: ``ProtoCodingError`` if the string contains U+0000, which would end the C
    ///   string early and silently drop the rest.
    func string(_ value: String, field: String) throws -> UnsafeMutablePointer<CChar> {
        var value = value
        return try value.withUTF8 { utf8 in
            guard !utf8.contains(0) else {
                throw ProtoCodingError(code: .unrepresentableString, protoName: field)
            }
            let pointer = allocate(CChar.self, count: utf8.count + 1)
            UnsafeMutableRawBufferPointer(start: pointer, count: utf8.count)
                .copyMemory(from: UnsafeRawBufferPointer(utf8))
            pointer[utf8.count] = 0
            return pointer
        }
    }

    /// Copies bytes into a protobuf-c binary value.
    ///
    /// - Parameter value: The bytes.
    /// - Returns: A binary value whose data is owned by the scope (NULL when empty).
    func bytes(_ value: [UInt8]) -> ProtobufCBinaryData {
        guard !value.isEmpty else {
            return ProtobufCBinaryData(len: 0, data: nil)
        }
        let pointer = allocate(UInt8.self, count: value.count)
        value.withUnsafeBufferPointer { source in
            pointer.initialize(from: source.baseAddress!, count: source.count)
        }
        return ProtobufCBinaryData(len: value.count, data: pointer)
    }

    /// Copies values into a C array, as protobuf-c's repeated fields (`n_x`, `x`) expect.
    ///
    /// - Parameter values: The elements.
    /// - Returns: The count and a pointer owned by the scope (NULL when empty).
    func array<Element: BitwiseCopyable>(_ values: [Element]) -> (Int, UnsafeMutablePointer<Element>?) {
        guard !values.isEmpty else {
            return (0, nil)
        }
        let pointer = allocate(Element.self, count: values.count)
        values.withUnsafeBufferPointer { source in
            pointer.initialize(from: source.baseAddress!, count: source.count)
        }
        return (values.count, pointer)
    }

    /// Builds a sub-message in memory owned by the scope.
    ///
    /// - Parameter message: The sub-message.
    /// - Returns: A pointer to its C form, owned by the scope.
    /// - Throws: ``ProtoCodingError`` if a string in it contains U+0000.
    func message<Message: CMessageBridge>(_ message: Message) throws -> UnsafeMutablePointer<Message.CMessage> {
        let cMessage = try message.cMessage(in: self)
        let pointer = allocate(Message.CMessage.self, count: 1)
        pointer.initialize(to: cMessage)
        return pointer
    }

    // MARK: Repeated fields, as protobuf-c's (`n_x`, `x`) pairs

    /// Copies strings into a C array of C strings.
    ///
    /// - Parameters:
    ///   - values: The strings.
    ///   - field: The full proto name of the field, for the error.
    /// - Returns: The count and an array owned by the scope.
    /// - Throws: ``ProtoCodingError`` if a string contains U+0000.
    func strings(
        _ values: [String],
        field: String
    ) throws -> (Int, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) {
        try array(values.map { Optional(try string($0, field: field)) })
    }

    /// Copies byte strings into a C array of binary values.
    ///
    /// - Parameter values: The byte strings.
    /// - Returns: The count and an array owned by the scope.
    func byteArrays(_ values: [[UInt8]]) -> (Int, UnsafeMutablePointer<ProtobufCBinaryData>?) {
        array(values.map { bytes($0) })
    }

    /// Copies booleans into a C array of `protobuf_c_boolean`.
    ///
    /// - Parameter values: The booleans.
    /// - Returns: The count and an array owned by the scope.
    func bools(_ values: [Bool]) -> (Int, UnsafeMutablePointer<protobuf_c_boolean>?) {
        array(values.map { $0 ? 1 : 0 })
    }

    /// Copies enum values into a C array of the protoc-c enum.
    ///
    /// - Parameter values: The values.
    /// - Returns: The count and an array owned by the scope.
    func enums<Value: CEnumBridge>(_ values: [Value]) -> (Int, UnsafeMutablePointer<Value.CEnum>?) {
        array(values.map(\.cValue))
    }

    /// Builds sub-messages and a C array of pointers to them.
    ///
    /// - Parameter values: The sub-messages.
    /// - Returns: The count and an array owned by the scope.
    /// - Throws: ``ProtoCodingError`` if a string in them contains U+0000.
    func messages<Message: CMessageBridge>(
        _ values: [Message]
    ) throws -> (Int, UnsafeMutablePointer<UnsafeMutablePointer<Message.CMessage>?>?) {
        try array(values.map { Optional(try message($0)) })
    }
}
