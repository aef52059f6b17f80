import CFerryProto
import CProtobufC
import FerryProto
import Testing

/// The Swift layer against protobuf-c used directly from C structs, in both directions.
@Suite("Interoperation with protobuf-c used directly")
struct CInteropTests {
    @Test("protobuf-c unpacks what Swift encodes")
    func swiftToC() throws {
        let heartbeat = FerryV1.HeartbeatRequest(
            lease: FerryV1.JobLease(jobID: "job-1", leaseToken: Fixtures.unicodeText),
            counters: FerryV1.SyncCounters(synced: .max, bytes: -5),
            sequence: .max
        )
        let bytes = try heartbeat.protobufBytes()
        let unpacked = bytes.withUnsafeBufferPointer {
            ferry__v1__heartbeat_request__unpack(nil, $0.count, $0.baseAddress)
        }
        let message = try #require(unpacked)
        defer { ferry__v1__heartbeat_request__free_unpacked(message, nil) }

        let lease = try #require(message.pointee.lease)
        #expect(String(cString: lease.pointee.job_id) == "job-1")
        #expect(String(cString: lease.pointee.lease_token) == Fixtures.unicodeText)
        let counters = try #require(message.pointee.counters)
        #expect(counters.pointee.synced == .max)
        #expect(counters.pointee.bytes == -5)
        #expect(message.pointee.sequence == .max)
        #expect(message.pointee.checkpoint == nil)
        #expect(message.pointee.outcome == nil)
    }

    @Test("Swift decodes what protobuf-c packs")
    func cToSwift() throws {
        var options = Ferry__V1__SyncOptions()
        ferry__v1__sync_options__init(&options)
        options.only_new = 1

        var filter = Ferry__V1__StorageFilter()
        ferry__v1__storage_filter__init(&filter)
        var kinds: [Ferry__V1__StorageKind] = [FERRY__V1__STORAGE_KIND__STORAGE_KIND_EXPORT, .init(rawValue: 77)]

        let bytes: [UInt8] = withUnsafeMutablePointer(to: &options) { optionsPointer in
            kinds.withUnsafeMutableBufferPointer { kindsBuffer in
                var request = Ferry__V1__StartSyncRequest()
                ferry__v1__start_sync_request__init(&request)
                request.storage_id = -77
                request.options = optionsPointer
                filter.n_kinds = kindsBuffer.count
                filter.kinds = kindsBuffer.baseAddress
                filter.project_id = 3

                var packed = [UInt8](repeating: 0, count: ferry__v1__start_sync_request__get_packed_size(&request))
                let written = ferry__v1__start_sync_request__pack(&request, &packed)
                #expect(written == packed.count)
                return packed
            }
        }
        let request = try FerryV1.StartSyncRequest(protobufBytes: bytes)
        #expect(request == FerryV1.StartSyncRequest(storageID: -77, options: FerryV1.SyncOptions(onlyNew: true)))

        let filterBytes: [UInt8] = kinds.withUnsafeMutableBufferPointer { kindsBuffer in
            filter.n_kinds = kindsBuffer.count
            filter.kinds = kindsBuffer.baseAddress
            var packed = [UInt8](repeating: 0, count: ferry__v1__storage_filter__get_packed_size(&filter))
            _ = ferry__v1__storage_filter__pack(&filter, &packed)
            return packed
        }
        let decoded = try FerryV1.StorageFilter(protobufBytes: filterBytes)
        #expect(decoded.projectID == 3)
        #expect(decoded.kinds == [.export, .unrecognized(77)])
    }
}
