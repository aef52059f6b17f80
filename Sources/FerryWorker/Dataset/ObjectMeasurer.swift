import FerryCrypto
import FerryProviders

/// Completes the metadata of listed objects whose listing gave no size (Redis keys): each is
/// read, sized, and given its content's SHA-256 as entity tag, so a rescan sees a changed value
/// even when its length stayed the same.
enum ObjectMeasurer {
    /// The most objects read per request to the provider.
    static let readGroup = 64

    /// `objects` with every missing size and entity tag filled in, in order.
    ///
    /// - Parameter source: Where to read the objects.
    /// - Throws: ``ProviderError``, or `CancellationError` when the job is stopped meanwhile.
    static func measured(_ objects: [ListedObject], from source: any ObjectStore) async throws -> [ListedObject] {
        guard objects.contains(where: { $0.size == nil }) else { return objects }
        var result = objects
        let unsized = objects.indices.filter { objects[$0].size == nil }
        for start in stride(from: 0, to: unsized.count, by: readGroup) {
            try Task.checkCancellation()
            let group = Array(unsized[start..<min(start + readGroup, unsized.count)])
            let loaded = try await source.read(group.map { objects[$0].key })
            for (index, object) in zip(group, loaded) {
                result[index].size = Int64(object.bytes.count)
                if result[index].etag == nil {
                    result[index].etag = Hex.encode(SHA256.digest(object.bytes))
                }
            }
        }
        return result
    }
}
