import FerryProto
import Testing

/// The dataset catalogue's messages through protobuf-c: nested objects, unicode keys, extremes.
@Suite("Dataset messages")
struct DatasetMessageTests {
    @Test("A catalogue page with present and deleted objects round-trips")
    func cataloguePage() throws {
        let page = FerryV1.ListDatasetObjectsResponse(
            objects: (0..<20).map { index in
                FerryV1.CataloguedObject(
                    object: FerryV1.DatasetObject(
                        key: "bilder/\(Fixtures.unicodeText)/\(index).png", size: index == 0 ? .max : Int64(index),
                        etag: "\"e\(index)\"", lastModifiedUnixMicros: .min, contentType: "image/png"),
                    firstSeenUnixMicros: 1, updatedUnixMicros: 2, deletedUnixMicros: index % 2 == 0 ? 0 : 3)
            },
            nextPageToken: "d1.YQ")
        let decoded = try FerryV1.ListDatasetObjectsResponse(protobufBytes: page.protobufBytes())
        #expect(decoded == page)
        #expect(decoded.objects[0].object?.size == .max)
        #expect(decoded.objects[1].deletedUnixMicros == 3)
    }

    @Test("A list request with every field set round-trips")
    func listRequest() throws {
        let request = FerryV1.ListDatasetObjectsRequest(
            storageID: 7, prefix: "images/", includeDeleted: true, pageSize: 5_000, pageToken: "d1.YQ")
        #expect(try FerryV1.ListDatasetObjectsRequest(protobufBytes: request.protobufBytes()) == request)
    }
}
