import FerryProto
import Testing

@Suite("Round trips through protobuf-c")
struct RoundTripTests {
    private func roundTrip<Message: FerryMessage>(_ message: Message) throws -> Message {
        try Message(protobufBytes: message.protobufBytes())
    }

    @Test("A storage with nested messages, unicode text and int64 extremes")
    func storage() throws {
        let decoded = try roundTrip(Fixtures.storage)
        #expect(decoded == Fixtures.storage)
        #expect(decoded.spec?.title == Fixtures.unicodeText)
        #expect(decoded.sync?.meta?.timeQueuedUnixMicros == .min)
        #expect(decoded.spec?.gcs == nil)
    }

    @Test("A job with bytes of every value, secrets and present sub-messages")
    func job() throws {
        let decoded = try roundTrip(Fixtures.job)
        #expect(decoded == Fixtures.job)
        #expect(decoded.checkpoint?.state == Array(0...255))
        #expect(decoded.credentials.map(\.name) == ["access_key_id", "secret_access_key"])
    }

    @Test("A heartbeat with uint64.max, repeated messages and a terminal outcome")
    func heartbeat() throws {
        let decoded = try roundTrip(Fixtures.heartbeat)
        #expect(decoded == Fixtures.heartbeat)
        #expect(decoded.sequence == .max)
        #expect(decoded.checkpoint == nil)
    }

    @Test("Repeated enums, including numbers this build does not know")
    func repeatedEnums() throws {
        let decoded = try roundTrip(Fixtures.filter)
        #expect(decoded == Fixtures.filter)
        #expect(decoded.filter?.kinds.map(\.rawValue) == [1, 12, -3, 0])
        #expect(decoded.filter?.kinds[1] == .unrecognized(12))
    }

    @Test("A batch of fifty repeated sub-messages")
    func importBatch() throws {
        let decoded = try roundTrip(Fixtures.importBatch)
        #expect(decoded == Fixtures.importBatch)
        #expect(decoded.tasks.count == 50)
    }

    @Test("Every message type round-trips its default value to zero bytes")
    func defaults() throws {
        let empty = FerryV1.DeleteStorageResponse()
        #expect(try empty.protobufBytes() == [])
        #expect(try FerryV1.DeleteStorageResponse(protobufBytes: []) == empty)
        #expect(try FerryV1.Storage().protobufBytes() == [])
        #expect(try FerryV1.Storage(protobufBytes: []) == FerryV1.Storage())
        #expect(try FerryV1.HeartbeatResponse(protobufBytes: []).leaseStatus == .unspecified)
    }

    @Test("An empty sub-message is still present after a round trip")
    func emptySubMessageKeepsPresence() throws {
        let request = FerryV1.StartSyncRequest(storageID: 1, options: FerryV1.SyncOptions())
        let decoded = try roundTrip(request)
        #expect(decoded.options == FerryV1.SyncOptions())
        #expect(try roundTrip(FerryV1.StartSyncRequest(storageID: 1)).options == nil)
    }

    @Test("Unknown enum numbers survive and compare by wire number", arguments: [Int32.min, -1, 7, 1000, .max])
    func unknownEnumValues(number: Int32) throws {
        let info = FerryV1.SyncInfo(
            status: .unrecognized(number),
            meta: .init(terminationReason: .init(rawValue: number))
        )
        let decoded = try roundTrip(info)
        #expect(decoded.status == .unrecognized(number))
        #expect(decoded.status.rawValue == number)
        #expect(!decoded.status.isRecognized)
        #expect(decoded.status.description == "UNRECOGNIZED(\(number))")
        #expect(decoded.meta?.terminationReason.rawValue == number)
    }

    @Test("Enum cases, raw values and proto names agree")
    func enumNames() {
        #expect(FerryV1.StorageKind.allCases == [.unspecified, .import, .export, .dataset])
        #expect(FerryV1.StorageKind(rawValue: 1) == .import)
        #expect(FerryV1.StorageKind.unrecognized(1) == .import)
        #expect(FerryV1.StorageKind.unrecognized(1).hashValue == FerryV1.StorageKind.import.hashValue)
        #expect(FerryV1.SyncStatus.completedWithErrors.description == "SYNC_STATUS_COMPLETED_WITH_ERRORS")
        #expect(FerryV1.ServingStatus.serviceUnknown.rawValue == 4)
        #expect(FerryV1.TerminationReason.allCases.map(\.rawValue) == [0, 1, 2, 3, 4, 5])
        #expect(FerryV1.StorageProvider.azureBlob.isRecognized)
    }

    @Test("Fields this build does not know are skipped")
    func unknownFieldsAreSkipped() throws {
        // GetStorageRequest{id: 5}, then field 999 (varint 7) and field 1000 (bytes "xy").
        let bytes: [UInt8] = [0x08, 0x05, 0xB8, 0x3E, 0x07, 0xC2, 0x3E, 0x02, 0x78, 0x79]
        #expect(try FerryV1.GetStorageRequest(protobufBytes: bytes) == FerryV1.GetStorageRequest(id: 5))
    }
}
