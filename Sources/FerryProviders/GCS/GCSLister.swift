import FerryCore
import NIOHTTP1
import Synchronization

/// Pages of a GCS listing, pulled one at a time; only the next page's token is kept between
/// pages.
final class GCSLister: ObjectLister {
    /// The JSON API returns at most this many objects a page.
    static let maxPageSize = 1000

    private enum Position {
        case start
        case token(String)
        case done
    }

    private let client: GCSClient
    private let endpoint: GCSEndpoint
    private let bucket: String
    private let prefix: String
    private let recursive: Bool
    private let position = Mutex(Position.start)

    init(client: GCSClient, endpoint: GCSEndpoint, bucket: String, prefix: String, recursive: Bool) {
        self.client = client
        self.endpoint = endpoint
        self.bucket = bucket
        self.prefix = prefix
        self.recursive = recursive
    }

    func next(maxCount: Int) async throws -> [ListedObject]? {
        while true {
            var query: [(name: String, value: String)] = [("maxResults", String(min(max(1, maxCount), Self.maxPageSize)))]
            switch position.withLock({ $0 }) {
            case .done: return nil
            case .start: break
            case .token(let token): query.append(("pageToken", token))
            }
            if !prefix.isEmpty { query.append(("prefix", prefix)) }
            if !recursive { query.append(("delimiter", "/")) }
            let subject = "gs://\(bucket)"
            let response = try await client.send(
                GCSClient.Request(method: .GET, url: endpoint.objectsURL(bucket: bucket, query: query), subject: subject))
            let page = try GCSListingPage(response.body, subject: subject)
            position.withLock { $0 = page.nextPageToken.map(Position.token) ?? .done }
            // A page of folders only (with a delimiter) has no objects but may not be the last.
            if !page.objects.isEmpty { return page.objects }
        }
    }
}
