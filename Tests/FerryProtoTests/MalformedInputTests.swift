import FerryProto
import FerryRPC
import Testing

@Suite("Malformed input and unencodable values")
struct MalformedInputTests {
    private func decodingError<Message: FerryMessage>(_: Message.Type, _ bytes: [UInt8]) -> ProtoCodingError? {
        #expect(throws: ProtoCodingError.self) { try Message(protobufBytes: bytes) }
    }

    @Test(
        "Bytes protobuf-c cannot parse throw malformedBytes",
        arguments: [
            [0x08],  // a varint cut short
            [0x08, 0x80, 0x80],  // a varint without its last byte
            [0x0A, 0x05, 0x61],  // a length past the end
            [0x0F],  // wire type 7 does not exist
            [0x08] + Array(repeating: 0xFF, count: 11),  // a varint longer than ten bytes
        ] as [[UInt8]]
    )
    func malformed(bytes: [UInt8]) {
        let error = decodingError(FerryV1.GetStorageRequest.self, bytes)
        #expect(error?.code == .malformedBytes)
        #expect(error?.protoName == "ferry.v1.GetStorageRequest")
    }

    @Test("A field sent with the wrong wire type is rejected")
    func wrongWireType() {
        // GetStorageRequest.id (int64, field 1) sent as length-delimited.
        #expect(decodingError(FerryV1.GetStorageRequest.self, [0x0A, 0x00])?.code == .malformedBytes)
    }

    @Test("A broken sub-message fails the whole message")
    func brokenSubMessage() {
        // StartSyncRequest.options (field 2) whose content is a cut-short varint.
        #expect(decodingError(FerryV1.StartSyncRequest.self, [0x12, 0x01, 0x08])?.code == .malformedBytes)
    }

    @Test("Strings that are not UTF-8 throw invalidUTF8 with the field's name")
    func invalidUTF8() {
        // HealthCheckRequest.service = 0xC3 0x28 (a lead byte followed by a non-continuation).
        let error = decodingError(FerryV1.HealthCheckRequest.self, [0x0A, 0x02, 0xC3, 0x28])
        #expect(error?.code == .invalidUTF8)
        #expect(error?.protoName == "ferry.v1.HealthCheckRequest.service")
        // Also inside a repeated sub-message.
        let nested = decodingError(FerryV1.CreateStorageRequest.self, [0x12, 0x03, 0x0A, 0x01, 0xFF])
        #expect(nested?.protoName == "ferry.v1.Secret.name")
    }

    @Test("Strings containing U+0000 are refused, not cut short")
    func embeddedNUL() {
        let secret = FerryV1.Secret(name: "token", value: "abc\u{0}def")
        let error = #expect(throws: ProtoCodingError.self) { try secret.protobufBytes() }
        #expect(error?.code == .unrepresentableString)
        #expect(error?.protoName == "ferry.v1.Secret.value")
        // Deep in a tree, after many allocations (the leak check runs this path too).
        var job = Fixtures.job
        job.credentials.append(FerryV1.Secret(name: "\u{0}"))
        #expect(throws: ProtoCodingError.self) { try job.protobufBytes() }
    }

    @Test("Random bytes never crash the decoder")
    func randomBytes() {
        var random = SplitMix64(seed: 0x5EED)
        for _ in 0..<2000 {
            let count = Int(random.next() % 64)
            let bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            _ = try? FerryV1.Storage(protobufBytes: bytes)
            _ = try? FerryV1.HeartbeatRequest(protobufBytes: bytes)
            _ = try? FerryV1.ListStoragesRequest(protobufBytes: bytes)
        }
    }

    @Test("Corrupted and truncated valid encodings never crash the decoder")
    func mutatedBytes() throws {
        let valid = try Fixtures.storage.protobufBytes()
        var random = SplitMix64(seed: 42)
        var rejected = 0
        for _ in 0..<1000 {
            var bytes = valid
            for _ in 0..<(1 + random.next() % 4) {
                bytes[Int(random.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: random.next())
            }
            if random.next() % 2 == 0 {
                bytes.removeLast(Int(random.next() % UInt64(bytes.count)))
            }
            do {
                _ = try FerryV1.Storage(protobufBytes: bytes)
            } catch {
                rejected += 1
            }
        }
        #expect(rejected > 0)
    }

    @Test("The deserializer maps bad bytes to INVALID_ARGUMENT")
    func deserializerError() {
        let deserializer = ProtobufDeserializer<FerryV1.GetStorageRequest>()
        let error = #expect(throws: RPCError.self) { try deserializer.deserialize([0x0A, 0x05]) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.cause is ProtoCodingError)
    }

    @Test("The serializer maps an unencodable message to INTERNAL")
    func serializerError() {
        let serializer = ProtobufSerializer<FerryV1.Secret>()
        let error = #expect(throws: RPCError.self) { try serializer.serialize(FerryV1.Secret(name: "\u{0}")) }
        #expect(error?.code == .internal)
    }

    @Test("Serializer and deserializer round-trip")
    func serializerRoundTrip() throws {
        let bytes = try ProtobufSerializer<FerryV1.Storage>().serialize(Fixtures.storage)
        #expect(try ProtobufDeserializer<FerryV1.Storage>().deserialize(bytes) == Fixtures.storage)
    }
}

/// A small seeded generator, so that failures reproduce.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
