import Crypto
import CryptoExtras
public import FerryCore
import Foundation

/// Google Cloud Storage V4 signed URLs (`GOOG4-RSA-SHA256`), made with a service account's RSA
/// key exactly as Google's client libraries make them: the canonical request signs the method,
/// the path, the sorted query and the `host` header with an unsigned payload; the signature is
/// RSA-SHA256 (PKCS#1 v1.5) of the string to sign, in hex.
///
/// Checked against URLs made by `google-cloud-storage` (scripts/vectors/make-gcs-v4-vectors.py).
public struct GCSURLSigner: Sendable {
    /// The longest validity Google accepts: seven days.
    public static let maxExpiresIn = 604_800

    private let clientEmail: String
    private let privateKey: _RSA.Signing.PrivateKey

    /// Creates a signer for one service-account key.
    ///
    /// - Parameter key: The key that signs.
    public init(key: GCSServiceAccountKey) {
        self.clientEmail = key.clientEmail
        self.privateKey = key.privateKey
    }

    /// A URL that lets anyone holding it GET one object until it expires.
    ///
    /// - Parameters:
    ///   - endpoint: The endpoint (`https://storage.googleapis.com` or a custom one).
    ///   - bucket: The bucket.
    ///   - key: The object's name.
    ///   - expiresIn: Seconds it stays valid, 1 ... ``maxExpiresIn``.
    ///   - now: The signing time.
    /// - Returns: The URL.
    /// - Throws: ``ProviderError`` for an expiry out of range or a key that cannot sign.
    public func signedURL(
        endpoint: GCSEndpoint, bucket: String, key: String, expiresIn: Int, now: FerryTime
    ) throws -> String {
        let request = try Self.request(
            clientEmail: clientEmail, endpoint: endpoint, bucket: bucket, key: key, expiresIn: expiresIn, now: now)
        let signature: _RSA.Signing.RSASignature
        do {
            signature = try privateKey.signature(for: Data(request.stringToSign.utf8), padding: .insecurePKCS1v1_5)
        } catch {
            throw ProviderError(subject: "gs://\(bucket)/\(key)", message: "cannot sign a URL: \(error)")
        }
        return request.unsignedURL + "&X-Goog-Signature=" + Self.hex(signature.rawRepresentation)
    }

    /// A signed URL before its signature: the URL without `X-Goog-Signature`, and the string the
    /// key signs.
    struct Request: Equatable {
        /// The URL up to, not including, `&X-Goog-Signature=`.
        var unsignedURL: String
        /// `GOOG4-RSA-SHA256`, the timestamp, the scope and the canonical request's SHA-256.
        var stringToSign: String
    }

    /// Everything of a signed URL but the signature: pure, so it can be checked against the
    /// reference library's output without its key.
    static func request(
        clientEmail: String, endpoint: GCSEndpoint, bucket: String, key: String, expiresIn: Int, now: FerryTime
    ) throws -> Request {
        guard (1...Self.maxExpiresIn).contains(expiresIn) else {
            throw ProviderError(
                subject: "gs://\(bucket)/\(key)",
                message: "a signed URL must expire within 1 to \(Self.maxExpiresIn) seconds, not \(expiresIn)")
        }
        let (date, timestamp) = Self.stamps(now)
        let scope = "\(date)/auto/storage/goog4_request"
        let query = [
            ("X-Goog-Algorithm", "GOOG4-RSA-SHA256"),
            ("X-Goog-Credential", "\(clientEmail)/\(scope)"),
            ("X-Goog-Date", timestamp),
            ("X-Goog-Expires", String(expiresIn)),
            ("X-Goog-SignedHeaders", "host"),
        ]
        .map { URIEncoding.queryComponent($0.0) + "=" + URIEncoding.queryComponent($0.1) }
        .sorted()
        .joined(separator: "&")
        let path = "/" + bucket + "/" + URIEncoding.path(key)
        let canonicalRequest = ["GET", path, query, "host:\(endpoint.hostAndPort)\n", "host", "UNSIGNED-PAYLOAD"]
            .joined(separator: "\n")
        let stringToSign = [
            "GOOG4-RSA-SHA256", timestamp, scope, Self.hex(SHA256.hash(data: Data(canonicalRequest.utf8))),
        ].joined(separator: "\n")
        return Request(unsignedURL: endpoint.base + path + "?" + query, stringToSign: stringToSign)
    }

    /// The credential date (`20260501`) and the request timestamp (`20260501T123456Z`) in UTC.
    private static func stamps(_ now: FerryTime) -> (date: String, timestamp: String) {
        let iso = FerryTime.unixSeconds(now.unixMicroseconds / 1_000_000).iso8601  // 2026-05-01T12:34:56Z
        let compact = iso.filter { $0 != "-" && $0 != ":" }  // 20260501T123456Z
        return (String(compact.prefix(8)), compact)
    }

    private static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}
