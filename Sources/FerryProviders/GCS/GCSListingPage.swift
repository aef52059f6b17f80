import FerryCore
import Foundation

/// One page of a JSON API object listing (`storage#objects`): its objects and the token of the
/// next page. The `prefixes` of a listing with a delimiter are folders, not objects, and are
/// left out.
struct GCSListingPage: Sendable {
    /// The objects of the page.
    var objects: [ListedObject]
    /// The token that asks for the next page; `nil` on the last.
    var nextPageToken: String?

    private struct Document: Decodable {
        struct Item: Decodable {
            var name: String
            var size: String?
            var etag: String?
            var md5Hash: String?
            var updated: String?
            var contentType: String?
        }
        var items: [Item]?
        var nextPageToken: String?
    }

    /// Parses a listing.
    ///
    /// - Parameters:
    ///   - body: The JSON answer.
    ///   - subject: What to name in an error (`gs://bucket`).
    /// - Throws: ``ProviderError`` when the answer is not a listing.
    init(_ body: [UInt8], subject: String) throws {
        let document: Document
        do {
            document = try JSONDecoder().decode(Document.self, from: Data(body))
        } catch {
            throw ProviderError(subject: subject, message: "GCS answered a listing that is not storage#objects JSON: \(error)")
        }
        let timestamps = ISO8601Timestamps()
        self.objects = try (document.items ?? []).map { item in
            var size: Int64?
            if let text = item.size {
                guard let parsed = Int64(text) else {
                    throw ProviderError(subject: "\(subject)/\(item.name)", message: "GCS listed a size that is not a number")
                }
                size = parsed
            }
            return ListedObject(
                key: item.name, size: size, etag: item.etag ?? item.md5Hash,
                lastModified: item.updated.flatMap(timestamps.parse), contentType: item.contentType)
        }
        self.nextPageToken = document.nextPageToken.flatMap { $0.isEmpty ? nil : $0 }
    }
}
