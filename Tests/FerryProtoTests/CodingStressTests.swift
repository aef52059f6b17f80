import FerryProto
import Testing

/// Repeats every success and failure path of the coding many times. Under
/// `scripts/leak-check.sh` (valgrind) a leak on any path would show as hundreds of lost blocks.
@Suite("Repeated coding")
struct CodingStressTests {
    static let iterations = 300

    @Test("Encoding and decoding, including every failure path, many times over")
    func repeatedCoding() throws {
        let storageBytes = try Fixtures.storage.protobufBytes()
        // A valid Storage whose last credential name is not UTF-8: decoding fails after the
        // whole tree was unpacked and most of it copied.
        let badUTF8 = storageBytes + [0x22, 0x02, 0xC3, 0x28]
        var unencodable = Fixtures.importBatch
        unencodable.tasks[40].dataJSON = "{\u{0}}"

        for _ in 0..<Self.iterations {
            #expect(try FerryV1.Storage(protobufBytes: storageBytes) == Fixtures.storage)
            #expect(try FerryV1.Job(protobufBytes: Fixtures.job.protobufBytes()) == Fixtures.job)
            #expect(
                try FerryV1.HeartbeatRequest(protobufBytes: Fixtures.heartbeat.protobufBytes()) == Fixtures.heartbeat
            )
            #expect(
                try FerryV1.SubmitImportBatchRequest(protobufBytes: Fixtures.importBatch.protobufBytes()).tasks.count
                    == 50
            )
            #expect(throws: ProtoCodingError.self) { try FerryV1.Storage(protobufBytes: badUTF8) }
            #expect(throws: ProtoCodingError.self) { try unencodable.protobufBytes() }
            #expect(throws: ProtoCodingError.self) {
                try FerryV1.Storage(protobufBytes: Array(storageBytes.dropLast()))
            }
        }
    }
}
