import NIOHTTP1
import Synchronization

/// A List Blobs listing pulled a page at a time. Between pages it holds only the next marker
/// and what is left of the page being handed out, never the listing.
final class AzureBlobLister: ObjectLister {
    /// The service answers at most this many blobs per page.
    static let maxResultsPerPage = 5000

    private struct State {
        var page: ArraySlice<ListedObject> = []
        var marker: String?
        var done = false
    }

    private let client: AzureBlobClient
    private let prefix: String
    private let recursive: Bool
    private let state = Mutex(State())

    /// - Parameters:
    ///   - client: The container's client.
    ///   - prefix: The blob name prefix to list (`folder/`), or empty for the whole container.
    ///   - recursive: `false` lists only the prefix's first level (`delimiter=/`).
    init(client: AzureBlobClient, prefix: String, recursive: Bool) {
        self.client = client
        self.prefix = prefix
        self.recursive = recursive
    }

    func next(maxCount: Int) async throws -> [ListedObject]? {
        let count = max(1, maxCount)
        while true {
            let (taken, marker, done) = state.withLock { state in
                let taken = state.page.prefix(count)
                state.page = state.page.dropFirst(taken.count)
                return (Array(taken), state.marker, state.done)
            }
            if !taken.isEmpty { return taken }
            if done { return nil }
            let page = try await fetch(maxResults: min(count, Self.maxResultsPerPage), marker: marker)
            state.withLock { state in
                state.page = ArraySlice(page.blobs)
                state.marker = page.nextMarker
                state.done = page.nextMarker == nil
            }
        }
    }

    private func fetch(maxResults: Int, marker: String?) async throws -> AzureListingPage {
        var query: [(name: String, value: String)] = [("restype", "container"), ("comp", "list")]
        if !prefix.isEmpty { query.append(("prefix", prefix)) }
        if !recursive { query.append(("delimiter", "/")) }
        if let marker { query.append(("marker", marker)) }
        query.append(("maxresults", String(maxResults)))
        let response = try await client.send(AzureBlobClient.Request(method: .GET, query: query))
        return try AzureListingPage(response.body, subject: client.subject(nil))
    }
}
