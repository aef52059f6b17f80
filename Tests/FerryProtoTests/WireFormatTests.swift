import FerryProto
import Testing

/// Encodings computed by hand from the protobuf wire format, so that a mistake in the Swift or
/// C layer cannot hide behind a symmetric round trip. Tag byte = field number << 3 | wire type
/// (0 varint, 2 length-delimited).
@Suite("Wire format against hand-computed bytes")
struct WireFormatTests {
    private func check<Message: FerryMessage>(_ message: Message, _ expected: [UInt8]) throws {
        #expect(try message.protobufBytes() == expected)
        #expect(try Message(protobufBytes: expected) == message)
    }

    @Test("int64 varints: 150 and -1")
    func varints() throws {
        // 150 = 0b1_0010110 -> 0x96 0x01 (the example in the protobuf documentation).
        try check(FerryV1.GetStorageRequest(id: 150), [0x08, 0x96, 0x01])
        // Negative int64 values take ten bytes (two's complement, no zigzag).
        try check(FerryV1.GetStorageRequest(id: -1), [0x08] + Array(repeating: 0xFF, count: 9) + [0x01])
    }

    @Test("Strings are length-delimited UTF-8")
    func strings() throws {
        try check(FerryV1.JobLease(jobID: "j", leaseToken: "é"), [0x0A, 0x01, 0x6A, 0x12, 0x02, 0xC3, 0xA9])
        let service = "ferry.v1.StorageService"
        try check(
            FerryV1.HealthCheckRequest(service: service),
            [0x0A, UInt8(service.utf8.count)] + Array(service.utf8)
        )
    }

    @Test("Bools and enums are varints")
    func boolsAndEnums() throws {
        try check(FerryV1.DeleteStorageRequest(id: 1, force: true), [0x08, 0x01, 0x10, 0x01])
        try check(FerryV1.HealthCheckResponse(status: .notServing), [0x08, 0x03])
        // An unknown negative enum number is written as a ten-byte int32 varint.
        try check(
            FerryV1.HealthCheckResponse(status: .unrecognized(-2)),
            [0x08, 0xFE] + Array(repeating: 0xFF, count: 8) + [0x01]
        )
    }

    @Test("A nested message is length-delimited")
    func nested() throws {
        // StartSyncRequest{storage_id: 1, options: SyncOptions{only_new: true}}
        try check(
            FerryV1.StartSyncRequest(storageID: 1, options: FerryV1.SyncOptions(onlyNew: true)),
            [0x08, 0x01, 0x12, 0x02, 0x08, 0x01]
        )
    }

    @Test("Field numbers of 16 and more take two tag bytes")
    func twoByteTags() throws {
        // Job.lease_token is field 10: tag 10 << 3 | 2 = 0x52.
        try check(FerryV1.Job(leaseToken: "x"), [0x52, 0x01, 0x78])
        // Job.storage is field 20: tag 20 << 3 | 2 = 162 -> varint 0xA2 0x01; an empty but
        // present sub-message is written with length 0.
        try check(FerryV1.Job(storage: FerryV1.StorageSpec()), [0xA2, 0x01, 0x00])
    }

    @Test("Repeated scalars and enums are packed; unpacked input is accepted too")
    func packed() throws {
        // DeleteAnnotationsRequest.annotation_ids = [1, 300] (field 2): 0x12, length 3, 0x01, 0xAC 0x02.
        try check(FerryV1.DeleteAnnotationsRequest(annotationIDs: [1, 300]), [0x12, 0x03, 0x01, 0xAC, 0x02])
        // StorageFilter.kinds = [IMPORT, DATASET] (field 2).
        try check(FerryV1.StorageFilter(kinds: [.import, .dataset]), [0x12, 0x02, 0x01, 0x03])
        let unpacked: [UInt8] = [0x10, 0x01, 0x10, 0x03]
        #expect(try FerryV1.StorageFilter(protobufBytes: unpacked).kinds == [.import, .dataset])
    }

    @Test("Bytes are length-delimited and may contain zeros")
    func bytes() throws {
        // SyncCheckpoint.state is field 2.
        try check(FerryV1.SyncCheckpoint(state: [0x00, 0xFF, 0x00]), [0x12, 0x03, 0x00, 0xFF, 0x00])
    }

    @Test("Repeated strings and messages are one record per element")
    func repeatedRecords() throws {
        // CheckImportKeysRequest{keys: ["a", ""]}: field 2 twice; the empty string is kept.
        try check(FerryV1.CheckImportKeysRequest(keys: ["a", ""]), [0x12, 0x01, 0x61, 0x12, 0x00])
        // CreateStorageRequest{credentials: [Secret{name: "k"}]}: field 2 holding field 1.
        try check(
            FerryV1.CreateStorageRequest(credentials: [FerryV1.Secret(name: "k")]),
            [0x12, 0x03, 0x0A, 0x01, 0x6B]
        )
    }
}
