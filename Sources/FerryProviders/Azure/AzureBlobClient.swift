import AsyncHTTPClient
import FerryCore
import NIOCore
import NIOHTTP1

/// Sends authorized requests to one container through the process's shared HTTP client,
/// retrying what ``RetryPolicy`` says is worth it, and turns the service's error answers into
/// ``ProviderError``s that name the blob and carry Azure's own error code and message.
struct AzureBlobClient: Sendable {
    /// One request to send.
    struct Request: Sendable {
        var method: HTTPMethod
        /// The blob's full name, or `nil` for the container itself.
        var blob: String?
        /// Query parameters, not encoded.
        var query: [(name: String, value: String)] = []
        var headers: [(name: String, value: String)] = []
        var body: [UInt8] = []
        /// The most bytes of a successful answer to accept.
        var bodyLimit: Int64 = ObjectLimits.maxObjectBytes
    }

    let endpoint: AzureBlobEndpoint
    let credentials: AzureCredentials
    let http: HTTPClient
    let retry: RetryPolicy
    /// The `x-ms-date` of each attempt.
    let clock: @Sendable () -> FerryTime

    /// `azure-blob://container/blob`, or `azure-blob://container` for the container itself.
    func subject(_ blob: String?) -> String {
        "azure-blob://\(endpoint.container)" + (blob.map { "/\($0)" } ?? "")
    }

    /// Sends a request until it succeeds or the retry policy gives up.
    ///
    /// - Returns: The successful answer (any 2xx).
    /// - Throws: ``ProviderError`` naming the blob, with Azure's error code (or `HTTP <status>`).
    func send(_ request: Request) async throws -> ProviderResponse {
        try await retry.run(provider: .azureBlob) { try await attempt(request) }
    }

    private func attempt(_ request: Request) async throws -> ProviderResponse {
        let subject = self.subject(request.blob)
        let path = endpoint.path(for: request.blob)
        var headers = request.headers + [("x-ms-date", AzureHTTPDate.string(clock())), ("x-ms-version", AzureSharedKeySigner.apiVersion)]
        let url: String
        switch credentials {
        case .sharedKey(let signer):
            // The client sends Content-Length itself; it is signed all the same.
            let signed = headers + (request.method == .PUT ? [("content-length", String(request.body.count))] : [])
            let authorization = signer.authorization(method: request.method.rawValue, path: path, query: request.query, headers: signed)
            headers.append(("authorization", authorization))
            url = endpoint.url(path: path, query: request.query)
        case .sasToken(let token):
            url = endpoint.url(path: path, query: request.query, sasToken: token)
        }
        var outgoing = HTTPClientRequest(url: url)
        outgoing.method = request.method
        for header in headers { outgoing.headers.add(name: header.name, value: header.value) }
        if request.method == .PUT {
            outgoing.body = .bytes(ByteBuffer(bytes: request.body))
        }
        return try await http.attempt(
            outgoing, subject: subject, server: endpoint.origin, bodyLimit: request.bodyLimit
        ) { status, headers, body in Self.failure(status: status, headers: headers, body: body, subject: subject) }
    }

    /// An error answer as a failure: the body's `<Code>` and `<Message>`, else the
    /// `x-ms-error-code` header (HEAD answers and some proxies send no body).
    private static func failure(status: Int, headers: HTTPHeaders, body: [UInt8], subject: String) -> HTTPAttemptFailure {
        let parsed = XMLErrorBody(body)
        let code = parsed.code ?? headers.first(name: "x-ms-error-code")
        // Azure's messages end with `RequestId:…` and `Time:…` lines; the first line says it all.
        let message = parsed.message.flatMap { $0.split(whereSeparator: \.isNewline).first.map(String.init) }
        let reason = message ?? HTTPResponseStatus(statusCode: status).reasonPhrase
        return HTTPAttemptFailure(
            kind: .status(status, serviceCode: code),
            error: ProviderError(subject: subject, message: "Azure answered \(status): \(reason)", code: code ?? "HTTP \(status)")
        )
    }
}
