import Crypto
public import FerryCore

/// AWS Signature Version 4 for S3, by hand with swift-crypto: the `Authorization` header of a
/// request, or the query of a presigned URL.
///
/// The canonical request is built from exactly what is sent: the already-encoded path (S3 does
/// not normalize or re-encode it), the query sorted by encoded name then value, the lower-case
/// header names with trimmed values, and the payload's SHA-256 (`UNSIGNED-PAYLOAD` for presigned
/// URLs). Checked against botocore by the vectors in Tests/FerryProvidersTests/Vectors.
public struct SigV4Signer: Sendable {
    /// The algorithm name in every signature.
    static let algorithm = "AWS4-HMAC-SHA256"
    /// The SHA-256 of an empty payload.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// The keys to sign with.
    public var credentials: S3Credentials
    /// The region in the credential scope.
    public var region: String
    /// The service in the credential scope.
    public var service: String

    /// Creates a signer.
    public init(credentials: S3Credentials, region: String, service: String = "s3") {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// The headers to send with a request, signed: the given ones plus `host`, `x-amz-date`,
    /// `x-amz-content-sha256`, `x-amz-security-token` (with a session token) and `authorization`.
    ///
    /// - Parameters:
    ///   - method: `GET`, `PUT`, `DELETE`, …
    ///   - host: The `Host` header's value.
    ///   - path: The percent-encoded path, as sent.
    ///   - query: The query parameters, not encoded.
    ///   - headers: Other headers to send and sign (`content-type`, `x-amz-server-side-encryption`).
    ///   - payloadHash: The hex SHA-256 of the body (see ``payloadHash(_:)``).
    ///   - now: The signing time.
    /// - Returns: Every header to send, names in lower case.
    public func signedHeaders(
        method: String, host: String, path: String, query: [(name: String, value: String)],
        headers: [(name: String, value: String)], payloadHash: String, now: FerryTime
    ) -> [(name: String, value: String)] {
        let amzDate = Self.amzDate(now)
        var all = [(name: "host", value: host)] + headers.map { (name: $0.name.lowercased(), value: $0.value) }
        all.append(("x-amz-content-sha256", payloadHash))
        all.append(("x-amz-date", amzDate))
        if let token = credentials.sessionToken { all.append(("x-amz-security-token", token)) }
        all.sort { $0.name < $1.name }
        let signedNames = all.map(\.name).joined(separator: ";")
        let canonicalHeaders = all.map { "\($0.name):\(Self.trimmed($0.value))\n" }.joined()
        let canonicalRequest = [
            method, path, Self.canonicalQuery(query), canonicalHeaders, signedNames, payloadHash,
        ].joined(separator: "\n")
        let signature = self.signature(canonicalRequest: canonicalRequest, amzDate: amzDate)
        let authorization =
            "\(Self.algorithm) Credential=\(credentials.accessKeyID)/\(scope(amzDate)), "
            + "SignedHeaders=\(signedNames), Signature=\(signature)"
        return all + [("authorization", authorization)]
    }

    /// The query of a presigned URL: the operation's parameters, then `X-Amz-Algorithm`,
    /// `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-Expires`, `X-Amz-SignedHeaders` (`host` only),
    /// `X-Amz-Security-Token` (with a session token) and `X-Amz-Signature`, encoded.
    ///
    /// - Parameters:
    ///   - method: The method the URL is for (`GET`).
    ///   - host: The `Host` the URL names.
    ///   - path: The percent-encoded path.
    ///   - expiresIn: Seconds the URL stays valid (1 ... 604800 on AWS).
    ///   - now: The signing time.
    /// - Returns: The encoded query, without `?`.
    public func presignedQuery(method: String, host: String, path: String, expiresIn: Int, now: FerryTime) -> String {
        let amzDate = Self.amzDate(now)
        var parameters: [(name: String, value: String)] = [
            ("X-Amz-Algorithm", Self.algorithm),
            ("X-Amz-Credential", "\(credentials.accessKeyID)/\(scope(amzDate))"),
            ("X-Amz-Date", amzDate),
            ("X-Amz-Expires", String(expiresIn)),
            ("X-Amz-SignedHeaders", "host"),
        ]
        if let token = credentials.sessionToken { parameters.append(("X-Amz-Security-Token", token)) }
        let canonicalRequest = [
            method, path, Self.canonicalQuery(parameters), "host:\(host)\n", "host", "UNSIGNED-PAYLOAD",
        ].joined(separator: "\n")
        parameters.append(("X-Amz-Signature", signature(canonicalRequest: canonicalRequest, amzDate: amzDate)))
        return parameters.map { URIEncoding.queryComponent($0.name) + "=" + URIEncoding.queryComponent($0.value) }
            .joined(separator: "&")
    }

    /// The hex SHA-256 of a body, for `x-amz-content-sha256`.
    public static func payloadHash(_ body: [UInt8]) -> String {
        body.isEmpty ? emptyPayloadHash : hex(SHA256.hash(data: body))
    }

    /// The query as signed and sent: each name and value encoded, sorted by name then value.
    static func canonicalQuery(_ query: [(name: String, value: String)]) -> String {
        query.map { (URIEncoding.queryComponent($0.name), URIEncoding.queryComponent($0.value)) }
            .sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }

    /// `YYYYMMDDTHHMMSSZ`, in UTC, to the whole second.
    static func amzDate(_ time: FerryTime) -> String {
        let seconds = time.unixMicroseconds >= 0
            ? time.unixMicroseconds / 1_000_000 : (time.unixMicroseconds - 999_999) / 1_000_000
        return FerryTime.unixSeconds(seconds).iso8601.filter { $0 != "-" && $0 != ":" }
    }

    private func scope(_ amzDate: String) -> String {
        "\(amzDate.prefix(8))/\(region)/\(service)/aws4_request"
    }

    private func signature(canonicalRequest: String, amzDate: String) -> String {
        let stringToSign = [
            Self.algorithm, amzDate, scope(amzDate), Self.hex(SHA256.hash(data: Array(canonicalRequest.utf8))),
        ].joined(separator: "\n")
        var key = SymmetricKey(data: Array("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [String(amzDate.prefix(8)), region, service, "aws4_request"] {
            key = SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key))
        }
        return Self.hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key))
    }

    /// A header value with leading and trailing spaces removed and inner runs of spaces made one.
    private static func trimmed(_ value: String) -> String {
        value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }

    private static func hex<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in bytes { text += [digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]] }
        return String(decoding: text, as: UTF8.self)
    }
}
