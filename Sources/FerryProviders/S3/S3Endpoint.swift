public import FerryCore

/// Where a bucket's requests go: scheme, host and path, from an ``S3Location``.
///
/// - AWS (no `endpoint_url`): `https://bucket.s3.REGION.amazonaws.com/key` (virtual-hosted), or
///   `https://s3.REGION.amazonaws.com/bucket/key` with `force_path_style`.
/// - A custom endpoint (`http://127.0.0.1:9000`, `https://minio.local:9443/base`): its scheme,
///   host, port and path; the bucket goes in front of the host (virtual-hosted) or after the
///   endpoint's path (path style).
///
/// Path style is also used, whatever `force_path_style` says, for a bucket name that cannot be a
/// DNS label (dots, capitals, underscores) and for an endpoint given as an IP address, where a
/// bucket host name cannot exist.
public struct S3Endpoint: Sendable, Hashable {
    /// The default region.
    public static let defaultRegion = "us-east-1"

    /// `http` or `https`.
    public var scheme: String
    /// The value of the `Host` header: the host, and the port when it is not the scheme's default.
    public var host: String
    /// The path before the key, without a trailing `/` (`/bucket` in path style, `` otherwise).
    public var basePath: String
    /// The region requests are signed for.
    public var region: String
    /// The bucket.
    public var bucket: String

    /// Resolves a location.
    ///
    /// - Parameter location: The storage's S3 settings.
    /// - Throws: ``ProviderError`` when `endpoint_url` is not an `http`/`https` URL with a host.
    public init(_ location: S3Location) throws {
        bucket = location.bucket
        region = location.region.isEmpty ? Self.defaultRegion : location.region
        let endpoint: (scheme: String, hostname: String, port: Int?, path: String)
        if location.endpointURL.isEmpty {
            endpoint = ("https", "s3.\(region).amazonaws.com", nil, "")
        } else {
            guard let parsed = Self.parse(location.endpointURL) else {
                throw ProviderError(
                    subject: "s3://\(location.bucket)",
                    message: "endpoint_url \(location.endpointURL) is not an http:// or https:// URL with a host")
            }
            endpoint = parsed
        }
        scheme = endpoint.scheme
        let virtualHosted = !location.forcePathStyle && Self.isDNSLabel(bucket) && !Self.isIPAddress(endpoint.hostname)
        let hostname = virtualHosted ? "\(bucket).\(endpoint.hostname)" : endpoint.hostname
        let defaultPort = scheme == "https" ? 443 : 80
        host = endpoint.port.map { $0 == defaultPort ? hostname : "\(hostname):\($0)" } ?? hostname
        basePath = endpoint.path + (virtualHosted ? "" : "/" + URIEncoding.path(bucket))
    }

    /// The path of an object (`key` given) or of the bucket (`nil`), percent-encoded once per
    /// segment: what is sent and what is signed.
    func path(for key: String?) -> String {
        guard let key else { return basePath.isEmpty ? "/" : basePath }
        return basePath + "/" + URIEncoding.path(key)
    }

    /// The URL of a path and an encoded query (empty for none).
    func url(path: String, query: String) -> String {
        "\(scheme)://\(host)\(path)" + (query.isEmpty ? "" : "?" + query)
    }

    private static func parse(_ text: String) -> (scheme: String, hostname: String, port: Int?, path: String)? {
        guard let schemeEnd = text.firstRange(of: "://") else { return nil }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        let rest = text[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" }
        var path = String(rest.dropFirst(authority.count))
        while path.hasSuffix("/") { path.removeLast() }
        var hostname = Substring(authority)
        var port: Int?
        if let colon = authority.lastIndex(of: ":"), !authority[colon...].contains("]") {
            guard let number = Int(authority[authority.index(after: colon)...]), (1...65535).contains(number) else {
                return nil
            }
            port = number
            hostname = authority[..<colon]
        }
        guard !hostname.isEmpty else { return nil }
        return (scheme, hostname.lowercased(), port, path)
    }

    /// Whether a bucket name can be the first label of a host name.
    private static func isDNSLabel(_ bucket: String) -> Bool {
        (3...63).contains(bucket.utf8.count)
            && bucket.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2D }
            && !bucket.hasPrefix("-") && !bucket.hasSuffix("-")
    }

    /// Whether a host is an IPv4 or a bracketed IPv6 literal.
    private static func isIPAddress(_ hostname: String) -> Bool {
        hostname.hasPrefix("[") || hostname.split(separator: ".").count == 4 && hostname.allSatisfy { $0.isNumber || $0 == "." }
    }
}
