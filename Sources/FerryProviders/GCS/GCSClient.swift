import AsyncHTTPClient
import FerryCore
import NIOCore
import NIOHTTP1

/// Sends requests to GCS (and its token endpoint) through the process's shared HTTP client, with the
/// storage's authorization, retrying what ``RetryPolicy`` says is worth it, and turns GCS's JSON
/// error answers into ``ProviderError``s that name the object and carry GCS's reason and message.
struct GCSClient: Sendable {
    /// One request to send.
    struct Request: Sendable {
        var method: HTTPMethod
        /// The full URL, query included.
        var url: String
        /// What the request is about (`gs://bucket/key`), for errors.
        var subject: String
        var headers: [(name: String, value: String)] = []
        var body: [UInt8]? = nil
        /// The most bytes of a successful answer to accept.
        var bodyLimit: Int64 = ObjectLimits.maxObjectBytes
        /// Whether to send the storage's access token (the token request itself does not).
        var authorized = true
        /// Who answers, as error messages name it.
        var server = "GCS"
        /// Error statuses that count as success here (404 for a delete).
        var alsoSuccessful: Set<Int> = []
    }

    let http: HTTPClient
    let retry: RetryPolicy
    /// The storage's access tokens, or `nil` for anonymous access.
    let tokens: GCSAccessTokens?

    /// Sends a request until it succeeds or the retry policy gives up.
    ///
    /// - Returns: The successful answer (any 2xx, or a status in ``Request/alsoSuccessful``).
    /// - Throws: ``ProviderError`` naming the subject, with GCS's reason (or `HTTP <status>`).
    func send(_ request: Request) async throws -> ProviderResponse {
        try await retry.run(provider: .gcs) { try await attempt(request) }
    }

    private func attempt(_ request: Request) async throws -> ProviderResponse {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = request.method
        for header in request.headers { outgoing.headers.add(name: header.name, value: header.value) }
        if request.authorized, let tokens {
            outgoing.headers.add(name: "authorization", value: "Bearer " + (try await tokens.accessToken()))
        }
        if let body = request.body { outgoing.body = .bytes(ByteBuffer(bytes: body)) }
        return try await http.attempt(
            outgoing, subject: request.subject, server: "\(request.server) at \(request.url)",
            bodyLimit: request.bodyLimit, alsoSuccessful: request.alsoSuccessful
        ) { status, _, body in Self.failure(status: status, body: body, request: request) }
    }

    /// An error answer as a failure: GCS's reason and message when the body has them.
    private static func failure(status: Int, body: [UInt8], request: Request) -> HTTPAttemptFailure {
        let parsed = GCSErrorBody(body)
        let message = parsed.message ?? HTTPResponseStatus(statusCode: status).reasonPhrase
        return HTTPAttemptFailure(
            kind: .status(status, serviceCode: parsed.reason),
            error: ProviderError(
                subject: request.subject, message: "\(request.server) answered \(status): \(message)",
                code: parsed.reason ?? "HTTP \(status)")
        )
    }
}
