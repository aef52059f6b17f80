import NIOHTTP1

/// A ListObjectsV2 listing (`list-type=2`, paged by continuation token, at most 1000 keys a page).
enum S3Lister {
    /// S3 answers at most this many keys per page.
    static let maxKeysPerPage = 1000

    /// - Parameters:
    ///   - client: The bucket's client.
    ///   - prefix: The key prefix to list (`folder/`), or empty for the whole bucket.
    ///   - recursive: `false` lists only the prefix's first level (`delimiter=/`).
    static func make(client: S3Client, prefix: String, recursive: Bool) -> TokenPagedLister {
        TokenPagedLister(maxPerPage: maxKeysPerPage) { maxKeys, continuationToken in
            var query: [(name: String, value: String)] = [("list-type", "2"), ("max-keys", String(maxKeys))]
            if !prefix.isEmpty { query.append(("prefix", prefix)) }
            if !recursive { query.append(("delimiter", "/")) }
            if let continuationToken { query.append(("continuation-token", continuationToken)) }
            let response = try await client.send(S3Client.Request(method: .GET, key: nil, query: query))
            let page = try S3ListingPage(response.body, subject: client.subject(nil))
            // Keys ending in `/` are the empty "folder" markers consoles create, not objects.
            return (page.objects.filter { !$0.key.hasSuffix("/") }, page.nextContinuationToken)
        }
    }
}
