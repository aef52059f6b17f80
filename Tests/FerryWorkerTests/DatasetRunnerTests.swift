import FerryCore
import FerryProto
import FerryProviders
import Foundation
import Synchronization
import Testing

@testable import FerryWorker

/// The parts of the dataset loop that need no server: batch bounds, the local metadata listing,
/// and measuring objects whose listing gives no size.
struct DatasetRunnerTests {
    @Test func batchesAreBoundedByCountAndBytes() {
        var byCount = DatasetBatch(maxObjects: 2, maxBytes: 1 << 20, messageLimit: 4 << 20)
        #expect(byCount.add(FerryV1.DatasetObject(key: "a")) == nil)
        #expect(byCount.add(FerryV1.DatasetObject(key: "b")) == nil)
        #expect(byCount.add(FerryV1.DatasetObject(key: "c"))?.map(\.key) == ["a", "b"])
        #expect(byCount.take().map(\.key) == ["c"])
        #expect(byCount.take().isEmpty)

        let key = String(repeating: "k", count: 1_000)
        var byBytes = DatasetBatch(maxObjects: 5_000, maxBytes: 1 << 20, messageLimit: DatasetBatch.reservedBytes + 2_500)
        #expect(byBytes.add(FerryV1.DatasetObject(key: key + "1", size: 1)) == nil)
        #expect(byBytes.add(FerryV1.DatasetObject(key: key + "2", size: 1)) == nil)
        #expect(byBytes.add(FerryV1.DatasetObject(key: key + "3", size: 1))?.count == 2, "a third would pass the limit")
    }

    @Test func theWireSizeOfAnObjectIsItsEncodedSize() throws {
        let object = FerryV1.DatasetObject(
            key: "images/a.png", size: 123_456, etag: "abc", lastModifiedUnixMicros: 1_714_564_800_000_000,
            contentType: "image/png")
        let encoded = try ProtobufSerializer<FerryV1.UpsertDatasetObjectsRequest>()
            .serialize(FerryV1.UpsertDatasetObjectsRequest(objects: [object]))
        #expect(WireSize.datasetObjectEntry(object) == encoded.count)
    }

    @Test func theLocalMetadataListingStatsEveryFile() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-ds-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/set/sub", withIntermediateDirectories: true)
        try Data("12345".utf8).write(to: URL(fileURLWithPath: root + "/set/sub/a.txt"))
        let store = try LocalObjectStore(root: root, path: "set", prefix: "", recursive: true)

        let plain = try #require(try await store.makeLister().next(maxCount: 10)?.first)
        #expect(plain.etag == nil, "the import listing does not stat")
        let listed = try #require(try await store.makeMetadataLister().next(maxCount: 10)?.first)
        #expect(listed.key == "sub/a.txt")
        #expect(listed.size == 5)
        let modified = try #require(listed.lastModified)
        #expect(abs(modified.unixMicroseconds - Int64(Date().timeIntervalSince1970 * 1_000_000)) < 600_000_000)
        #expect(listed.etag == String(modified.unixMicroseconds, radix: 16) + "-5")
    }

    @Test func objectsWithoutASizeAreReadAndHashed() async throws {
        let store = MemoryStore(objects: ["a": Array("hello".utf8), "b": []])
        let measured = try await ObjectMeasurer.measured(
            [ListedObject(key: "a", size: nil), ListedObject(key: "s", size: 3, etag: "kept"), ListedObject(key: "b", size: nil)],
            from: store)
        #expect(measured.map(\.size) == [5, 3, 0])
        #expect(measured[0].etag == "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
        #expect(measured[1].etag == "kept")
        #expect(store.reads.withLock { $0 } == [["a", "b"]], "only objects without a size are read")
    }
}

/// Objects in memory; records which keys were read.
private final class MemoryStore: ObjectStore {
    let objects: [String: [UInt8]]
    let reads = Mutex<[[String]]>([])

    init(objects: [String: [UInt8]]) { self.objects = objects }

    func makeLister() throws -> any ObjectLister { throw ProviderError(subject: "memory", message: "not listed") }
    func read(_ keys: [String]) async throws -> [LoadedObject] {
        reads.withLock { $0.append(keys) }
        return keys.map { LoadedObject(key: $0, bytes: objects[$0] ?? []) }
    }
    func write(key: String, bytes: [UInt8], contentType: String) async throws -> WrittenObject {
        WrittenObject(key: key, etag: nil)
    }
    func delete(key: String) async throws {}
    func blobURL(for key: String) -> String { "memory://" + key }
}
