import Foundation

/// The `page_token` of ListDatasetObjects: the last key of the previous page, opaque to clients
/// (a version tag and the key's UTF-8 bytes in base64url).
enum DatasetPageToken {
    private static let prefix = "d1."

    /// The token that continues after `key`.
    static func token(after key: String) -> String {
        prefix + Data(key.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
    }

    /// The key a token continues after; `nil` when the token is not one this server made.
    static func key(from token: String) -> String? {
        guard token.hasPrefix(prefix) else { return nil }
        let encoded = token.dropFirst(prefix.count)
            .replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        guard let data = Data(base64Encoded: encoded), !data.isEmpty else { return nil }
        return String(bytes: data, encoding: .utf8)
    }
}
