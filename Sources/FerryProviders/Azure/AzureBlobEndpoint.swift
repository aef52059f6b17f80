import FerryCore
import Foundation

/// Where a container's requests go, from an ``AzureBlobLocation``.
///
/// - No `endpoint_url`: `https://{account}.blob.core.windows.net/{container}/{blob}`.
/// - An `endpoint_url` (`http://127.0.0.1:10000/devstoreaccount1`, `https://blobs.example.com`):
///   `{endpoint_url}/{container}/{blob}`, its path kept as the base. An Azurite-style endpoint
///   therefore carries the account as its first path segment, and Shared Key signs the path as
///   sent (`/account/devstoreaccount1/container/blob`), as the SDK and Azurite do.
struct AzureBlobEndpoint: Sendable {
    /// `http` or `https`.
    let scheme: String
    /// `scheme://host[:port]`.
    let origin: String
    /// The path before the container, without a trailing `/` (empty for Azure itself).
    let basePath: String
    /// The container.
    let container: String

    /// Resolves a location.
    ///
    /// - Throws: ``ProviderError`` when `endpoint_url` is not an `http`/`https` URL with a host.
    init(_ location: AzureBlobLocation) throws {
        container = location.container
        guard !location.endpointURL.isEmpty else {
            scheme = "https"
            origin = "https://\(location.accountName).blob.core.windows.net"
            basePath = ""
            return
        }
        guard let url = URL(string: location.endpointURL), let parsedScheme = url.scheme?.lowercased(),
            parsedScheme == "http" || parsedScheme == "https", let host = url.host, !host.isEmpty
        else {
            throw ProviderError(
                subject: "azure-blob://\(location.container)",
                message: "endpoint_url \(location.endpointURL) is not an http:// or https:// URL with a host")
        }
        scheme = parsedScheme
        let hostText = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        origin = "\(parsedScheme)://\(hostText)" + (url.port.map { ":\($0)" } ?? "")
        var path = url.path
        while path.hasSuffix("/") { path.removeLast() }
        basePath = URIEncoding.path(path)
    }

    /// The path of a blob (`name` given) or of the container (`nil`), percent-encoded: what is
    /// sent and what Shared Key signs.
    func path(for name: String?) -> String {
        let containerPath = basePath + "/" + URIEncoding.path(container)
        guard let name else { return containerPath }
        return containerPath + "/" + URIEncoding.path(name)
    }

    /// The URL of a path with a query (values not yet encoded) and, for SAS credentials, the token.
    func url(path: String, query: [(name: String, value: String)], sasToken: String? = nil) -> String {
        var parts = query.map { "\($0.name)=\(URIEncoding.queryComponent($0.value))" }
        if let sasToken { parts.append(sasToken) }
        return origin + path + (parts.isEmpty ? "" : "?" + parts.joined(separator: "&"))
    }
}
