import Foundation

/// Where a GCS storage's JSON API answers: Google's `https://storage.googleapis.com`, or a custom
/// endpoint (`gcs.endpoint_url`, e.g. fake-gcs-server on `http://127.0.0.1:4443`).
public struct GCSEndpoint: Sendable, Equatable {
    /// Google's endpoint.
    public static let google = "https://storage.googleapis.com"

    /// `scheme://host[:port][/path]`, without a trailing `/`.
    public let base: String
    /// The URL's authority as the `host` header carries it (`127.0.0.1:4443`).
    public let hostAndPort: String
    /// Whether this is not Google's endpoint.
    public let isCustom: Bool

    /// Parses a location's endpoint.
    ///
    /// - Parameters:
    ///   - endpointURL: The custom endpoint, or empty for Google's.
    ///   - subject: What to name in an error (`gs://bucket`).
    /// - Throws: ``ProviderError`` when the URL is not `http(s)://host[:port][/path]`.
    public init(_ endpointURL: String, subject: String) throws {
        let text = endpointURL.isEmpty ? Self.google : endpointURL
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty,
            components.query == nil, components.fragment == nil
        else {
            throw ProviderError(subject: subject, message: "endpoint '\(text)' is not an http(s)://host[:port] URL")
        }
        let authority = components.port.map { "\(host):\($0)" } ?? host
        var path = components.percentEncodedPath
        while path.hasSuffix("/") { path.removeLast() }
        self.base = "\(scheme)://\(authority)\(path)"
        self.hostAndPort = authority
        self.isCustom = !endpointURL.isEmpty && text != Self.google
    }
}

extension GCSEndpoint {
    /// `…/storage/v1/b/{bucket}/o` with a query: the bucket's object listing.
    func objectsURL(bucket: String, query: [(name: String, value: String)]) -> String {
        base + "/storage/v1/b/" + URIEncoding.queryComponent(bucket) + "/o" + Self.queryString(query)
    }

    /// `…/storage/v1/b/{bucket}/o/{object}` (the name encoded whole, `/` included) with a query.
    func objectURL(bucket: String, key: String, query: [(name: String, value: String)] = []) -> String {
        base + "/storage/v1/b/" + URIEncoding.queryComponent(bucket) + "/o/" + URIEncoding.queryComponent(key)
            + Self.queryString(query)
    }

    /// `…/upload/storage/v1/b/{bucket}/o?uploadType=media&name={object}`: a simple upload.
    func uploadURL(bucket: String, key: String) -> String {
        base + "/upload/storage/v1/b/" + URIEncoding.queryComponent(bucket) + "/o"
            + Self.queryString([("uploadType", "media"), ("name", key)])
    }

    private static func queryString(_ query: [(name: String, value: String)]) -> String {
        guard !query.isEmpty else { return "" }
        return "?" + query.map { URIEncoding.queryComponent($0.name) + "=" + URIEncoding.queryComponent($0.value) }
            .joined(separator: "&")
    }
}
