import FerryCore
import NIOHTTP1

/// A GCS JSON API listing (`objects.list`, paged by `pageToken`, at most 1000 objects a page).
enum GCSLister {
    /// The JSON API returns at most this many objects a page.
    static let maxPageSize = 1000

    /// - Parameters:
    ///   - client: The bucket's client.
    ///   - endpoint: The API's endpoint.
    ///   - bucket: The bucket.
    ///   - prefix: The object-name prefix to list (`folder/`), or empty for the whole bucket.
    ///   - recursive: `false` lists only the prefix's first level (`delimiter=/`).
    static func make(client: GCSClient, endpoint: GCSEndpoint, bucket: String, prefix: String, recursive: Bool)
        -> TokenPagedLister
    {
        TokenPagedLister(maxPerPage: maxPageSize) { maxResults, pageToken in
            var query: [(name: String, value: String)] = [("maxResults", String(maxResults))]
            if let pageToken { query.append(("pageToken", pageToken)) }
            if !prefix.isEmpty { query.append(("prefix", prefix)) }
            if !recursive { query.append(("delimiter", "/")) }
            let subject = "gs://\(bucket)"
            let response = try await client.send(
                GCSClient.Request(method: .GET, url: endpoint.objectsURL(bucket: bucket, query: query), subject: subject))
            // A page of folders only (with a delimiter) has no objects but may not be the last;
            // the lister then fetches the next one.
            let page = try GCSListingPage(response.body, subject: subject)
            return (page.objects, page.nextPageToken)
        }
    }
}
