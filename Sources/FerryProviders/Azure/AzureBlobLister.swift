import NIOHTTP1

/// A List Blobs listing (`restype=container&comp=list`, paged by marker, at most 5000 blobs a page).
enum AzureBlobLister {
    /// The service answers at most this many blobs per page.
    static let maxResultsPerPage = 5000

    /// - Parameters:
    ///   - client: The container's client.
    ///   - prefix: The blob name prefix to list (`folder/`), or empty for the whole container.
    ///   - recursive: `false` lists only the prefix's first level (`delimiter=/`).
    static func make(client: AzureBlobClient, prefix: String, recursive: Bool) -> TokenPagedLister {
        TokenPagedLister(maxPerPage: maxResultsPerPage) { maxResults, marker in
            var query: [(name: String, value: String)] = [("restype", "container"), ("comp", "list")]
            if !prefix.isEmpty { query.append(("prefix", prefix)) }
            if !recursive { query.append(("delimiter", "/")) }
            if let marker { query.append(("marker", marker)) }
            query.append(("maxresults", String(maxResults)))
            let response = try await client.send(AzureBlobClient.Request(method: .GET, query: query))
            let page = try AzureListingPage(response.body, subject: client.subject(nil))
            return (page.blobs, page.nextMarker)
        }
    }
}
