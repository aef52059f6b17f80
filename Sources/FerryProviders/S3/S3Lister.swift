import NIOHTTP1
import Synchronization

/// A ListObjectsV2 listing pulled a page at a time. It holds only the continuation token and
/// the page being handed out, never the listing.
final class S3Lister: ObjectLister {
    /// S3 answers at most this many keys per page.
    static let maxKeysPerPage = 1000

    private struct State {
        var page: ArraySlice<ListedObject> = []
        var continuationToken: String?
        var finished = false
    }

    private let client: S3Client
    private let prefix: String
    private let recursive: Bool
    private let state = Mutex(State())

    /// - Parameters:
    ///   - client: The bucket's client.
    ///   - prefix: The key prefix to list (`folder/`), or empty for the whole bucket.
    ///   - recursive: `false` lists only the prefix's first level (`delimiter=/`).
    init(client: S3Client, prefix: String, recursive: Bool) {
        self.client = client
        self.prefix = prefix
        self.recursive = recursive
    }

    func next(maxCount: Int) async throws -> [ListedObject]? {
        let count = max(1, maxCount)
        while true {
            let (taken, token, finished) = state.withLock { state in
                let taken = Array(state.page.prefix(count))
                state.page = state.page.dropFirst(taken.count)
                return (taken, state.continuationToken, state.finished)
            }
            if !taken.isEmpty { return taken }
            if finished { return nil }
            let page = try await fetch(maxKeys: min(count, Self.maxKeysPerPage), continuationToken: token)
            state.withLock { state in
                // Keys ending in `/` are the empty "folder" markers consoles create, not objects.
                state.page = ArraySlice(page.objects.filter { !$0.key.hasSuffix("/") })
                state.continuationToken = page.nextContinuationToken
                state.finished = page.nextContinuationToken == nil
            }
        }
    }

    private func fetch(maxKeys: Int, continuationToken: String?) async throws -> S3ListingPage {
        var query: [(name: String, value: String)] = [("list-type", "2"), ("max-keys", String(maxKeys))]
        if !prefix.isEmpty { query.append(("prefix", prefix)) }
        if !recursive { query.append(("delimiter", "/")) }
        if let continuationToken { query.append(("continuation-token", continuationToken)) }
        let response = try await client.send(S3Client.Request(method: .GET, key: nil, query: query))
        return try S3ListingPage(response.body, subject: client.subject(nil))
    }
}
