import FerryCore
import FerryMapping
import FerryProto
import FerryRPC
import FerryStore

extension DatasetObjectMetadata {
    /// The metadata a worker sent, checked: a key is required and a size cannot be negative.
    ///
    /// - Parameters:
    ///   - proto: One object of an UpsertDatasetObjects request.
    ///   - index: Its position in the request, for the error.
    /// - Throws: `INVALID_ARGUMENT` naming the object.
    init(_ proto: FerryV1.DatasetObject, index: Int) throws {
        guard !proto.key.isEmpty else {
            throw RPCError(code: .invalidArgument, message: "objects[\(index)].key: required")
        }
        guard proto.size >= 0 else {
            throw RPCError(code: .invalidArgument, message: "objects[\(index)].size: must not be negative (\(proto.key))")
        }
        self.init(
            key: proto.key,
            size: proto.size,
            etag: proto.etag,
            lastModified: FerryTime.fromWire(proto.lastModifiedUnixMicros),
            contentType: proto.contentType.isEmpty ? nil : proto.contentType
        )
    }

    /// The wire form.
    var proto: FerryV1.DatasetObject {
        FerryV1.DatasetObject(
            key: key, size: size, etag: etag, lastModifiedUnixMicros: FerryTime.wire(lastModified),
            contentType: contentType ?? "")
    }
}

extension CataloguedObject {
    /// The wire form of a catalogue entry.
    var proto: FerryV1.CataloguedObject {
        FerryV1.CataloguedObject(
            object: metadata.proto,
            firstSeenUnixMicros: FerryTime.wire(firstSeenAt),
            updatedUnixMicros: FerryTime.wire(updatedAt),
            deletedUnixMicros: FerryTime.wire(deletedAt)
        )
    }
}
