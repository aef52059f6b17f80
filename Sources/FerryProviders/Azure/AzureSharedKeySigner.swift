import Crypto
import Foundation

/// Signs Blob service requests with an account key: the Shared Key scheme
/// (`Authorization: SharedKey account:signature`), an HMAC-SHA256 with the base64-decoded key
/// over the canonical string of the request.
///
/// The canonical string is the verb, the standard headers in their fixed order
/// (`Content-Length` empty when it is 0), every `x-ms-*` header lower-cased and sorted as
/// `name:value`, and the resource: `/account` followed by the URL's path as sent
/// (percent-encoded), then each query parameter as `name:value` (name lower-cased, value
/// decoded), sorted by name. This is what the service and the official SDK compute; the vectors
/// in Tests/FerryProvidersTests/Vectors/azure-blob.json hold Ferry to the SDK.
struct AzureSharedKeySigner: Sendable {
    /// The service version every request asks for and every SAS is signed with.
    static let apiVersion = "2021-08-06"

    /// The standard headers of the canonical string, in their order.
    static let standardHeaders = [
        "content-encoding", "content-language", "content-length", "content-md5", "content-type", "date",
        "if-modified-since", "if-match", "if-none-match", "if-unmodified-since", "range",
    ]

    /// The storage account.
    let accountName: String
    private let key: SymmetricKey

    /// A signer of one account.
    ///
    /// - Parameters:
    ///   - accountName: The storage account.
    ///   - base64Key: The `account_key` secret, as the portal shows it (base64).
    ///   - subject: What to name in the error (`azure-blob://container`).
    /// - Throws: ``ProviderError`` when the key is not base64.
    init(accountName: String, base64Key: String, subject: String) throws {
        guard let decoded = Data(base64Encoded: base64Key.trimmingCharacters(in: .whitespacesAndNewlines)),
            !decoded.isEmpty
        else {
            throw ProviderError(subject: subject, message: "the account_key secret is not a base64 account key")
        }
        self.accountName = accountName
        self.key = SymmetricKey(data: decoded)
    }

    /// The canonical string of a request.
    ///
    /// - Parameters:
    ///   - method: `GET`, `PUT`, `DELETE`, …
    ///   - path: The URL's path exactly as sent (percent-encoded).
    ///   - query: The query parameters, not encoded.
    ///   - headers: Every header sent, `x-ms-date` and `x-ms-version` included.
    /// - Returns: The string the signature is computed over.
    func stringToSign(
        method: String, path: String, query: [(name: String, value: String)], headers: [(name: String, value: String)]
    ) -> String {
        var byName: [String: String] = [:]
        for header in headers { byName[header.name.lowercased()] = header.value }
        if byName["content-length"] == "0" { byName["content-length"] = nil }
        var lines = [method.uppercased()]
        lines += Self.standardHeaders.map { byName[$0] ?? "" }
        lines += byName.filter { $0.key.hasPrefix("x-ms-") }.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }
        var resource = "/" + accountName + path
        for parameter in query.map({ (name: $0.name.lowercased(), value: $0.value) }).sorted(by: { $0.name < $1.name }) {
            resource += "\n\(parameter.name):\(parameter.value)"
        }
        lines.append(resource)
        return lines.joined(separator: "\n")
    }

    /// The `Authorization` header's value for a request; see ``stringToSign(method:path:query:headers:)``.
    func authorization(
        method: String, path: String, query: [(name: String, value: String)], headers: [(name: String, value: String)]
    ) -> String {
        "SharedKey \(accountName):" + signature(of: stringToSign(method: method, path: path, query: query, headers: headers))
    }

    /// The base64 HMAC-SHA256 of a string with the account key.
    func signature(of string: String) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Data(string.utf8), using: key)).base64EncodedString()
    }
}
