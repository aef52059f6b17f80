import FerryProto

/// The objects of the next UpsertDatasetObjects request, bounded by an object count and by
/// their encoded bytes, so a request stays well under the server's message limit.
struct DatasetBatch: Sendable {
    /// Room kept for the rest of the request: the lease and the checkpoint (one key).
    static let reservedBytes = 8 * 1024

    private let maxObjects: Int
    private let maxBytes: Int
    private(set) var objects: [FerryV1.DatasetObject] = []
    private var bytes = 0

    /// Creates an empty batch.
    ///
    /// - Parameters:
    ///   - maxObjects: The most objects per request.
    ///   - maxBytes: About the most encoded bytes of objects per request.
    ///   - messageLimit: The server's largest request.
    init(maxObjects: Int, maxBytes: Int, messageLimit: Int) {
        self.maxObjects = max(1, maxObjects)
        self.maxBytes = max(1, min(maxBytes, messageLimit - Self.reservedBytes))
    }

    /// Adds an object; returns the full batch to send first when the object would not fit.
    mutating func add(_ object: FerryV1.DatasetObject) -> [FerryV1.DatasetObject]? {
        let size = WireSize.datasetObjectEntry(object)
        var full: [FerryV1.DatasetObject]?
        if !objects.isEmpty && (objects.count == maxObjects || bytes + size > maxBytes) {
            full = take()
        }
        objects.append(object)
        bytes += size
        return full
    }

    /// Empties the batch and returns what it held.
    mutating func take() -> [FerryV1.DatasetObject] {
        defer {
            objects = []
            bytes = 0
        }
        return objects
    }
}

extension WireSize {
    /// One `DatasetObject` entry of `UpsertDatasetObjectsRequest.objects`, tag and length included.
    static func datasetObjectEntry(_ object: FerryV1.DatasetObject) -> Int {
        var body = 0
        if !object.key.isEmpty { body += stringField(object.key) }
        if object.size != 0 { body += 1 + varint(UInt64(bitPattern: object.size)) }
        if !object.etag.isEmpty { body += stringField(object.etag) }
        if object.lastModifiedUnixMicros != 0 { body += 1 + varint(UInt64(bitPattern: object.lastModifiedUnixMicros)) }
        if !object.contentType.isEmpty { body += stringField(object.contentType) }
        return lengthDelimited(body)
    }
}
