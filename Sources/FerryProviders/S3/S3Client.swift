import AsyncHTTPClient
import FerryCore
import Foundation
import NIOCore
import NIOHTTP1

/// Sends signed requests to one bucket through the process's shared HTTP client, retrying
/// what ``RetryPolicy`` says is worth it, and turns S3's error answers into ``ProviderError``s
/// that name the object and carry S3's own code and message.
struct S3Client: Sendable {
    /// One request to send.
    struct Request: Sendable {
        var method: HTTPMethod
        /// The object's key, or `nil` for the bucket itself.
        var key: String?
        var query: [(name: String, value: String)] = []
        var headers: [(name: String, value: String)] = []
        var body: [UInt8] = []
        /// The most bytes of a successful answer to accept.
        var bodyLimit: Int64 = ObjectLimits.maxObjectBytes
    }

    let endpoint: S3Endpoint
    let signer: SigV4Signer
    let http: HTTPClient
    let retry: RetryPolicy
    /// The signing time of each attempt.
    let clock: @Sendable () -> FerryTime

    /// `s3://bucket/key`, or `s3://bucket` for the bucket itself.
    func subject(_ key: String?) -> String {
        key.map { "s3://\(endpoint.bucket)/\($0)" } ?? "s3://\(endpoint.bucket)"
    }

    /// Sends a request until it succeeds or the retry policy gives up.
    ///
    /// - Returns: The successful answer (any 2xx).
    /// - Throws: ``ProviderError`` naming the object, with S3's error code (or `HTTP <status>`).
    func send(_ request: Request) async throws -> ProviderResponse {
        try await retry.run(provider: .s3) { try await attempt(request) }
    }

    private func attempt(_ request: Request) async throws -> ProviderResponse {
        let subject = self.subject(request.key)
        let path = endpoint.path(for: request.key)
        let payloadHash = SigV4Signer.payloadHash(request.body)
        let headers = signer.signedHeaders(
            method: request.method.rawValue, host: endpoint.host, path: path, query: request.query,
            headers: request.headers, payloadHash: payloadHash, now: clock())
        var outgoing = HTTPClientRequest(url: endpoint.url(path: path, query: SigV4Signer.canonicalQuery(request.query)))
        outgoing.method = request.method
        for header in headers { outgoing.headers.add(name: header.name, value: header.value) }
        if !request.body.isEmpty || request.method == .PUT {
            outgoing.body = .bytes(ByteBuffer(bytes: request.body))
        }
        return try await http.attempt(
            outgoing, subject: subject, server: "\(endpoint.scheme)://\(endpoint.host)", bodyLimit: request.bodyLimit
        ) { status, _, body in Self.failure(status: status, body: body, subject: subject) }
    }

    /// An error answer as a failure: S3's `<Code>` and `<Message>` when the body has them.
    private static func failure(status: Int, body: [UInt8], subject: String) -> HTTPAttemptFailure {
        let parsed = XMLErrorBody(body)
        let reason = parsed.message ?? HTTPResponseStatus(statusCode: status).reasonPhrase
        return HTTPAttemptFailure(
            kind: .status(status, serviceCode: parsed.code),
            error: ProviderError(subject: subject, message: "S3 answered \(status): \(reason)", code: parsed.code ?? "HTTP \(status)")
        )
    }
}
