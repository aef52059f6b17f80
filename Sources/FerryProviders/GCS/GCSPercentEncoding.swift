import Foundation

/// Percent-encoding for GCS URLs: every byte of the UTF-8 but the RFC 3986 unreserved characters
/// (`A-Z a-z 0-9 - _ . ~`) becomes `%XX`, as Google's client libraries encode object names.
enum GCSPercentEncoding {
    private static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")
    private static let unreservedAndSlash = unreserved.union(CharacterSet(charactersIn: "/"))

    /// An object name as one path segment of the JSON API (`a/b` becomes `a%2Fb`), or a query
    /// parameter's name or value.
    static func component(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    /// An object name as path segments of an XML API URL (`/` kept), as signed URLs carry it.
    static func path(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreservedAndSlash) ?? text
    }
}
