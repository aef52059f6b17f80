import AsyncHTTPClient
import NIOCore
public import NIOHTTP1

/// A provider's successful answer: its headers and whole body.
public struct ProviderResponse: Sendable {
    /// The headers.
    public var headers: HTTPHeaders
    /// The whole body.
    public var body: [UInt8]
}

extension HTTPClient {
    /// Error bodies longer than this are cut (they are a few hundred bytes).
    static let errorBodyLimit: Int64 = 64 * 1024

    /// Sends one attempt of a provider request and sorts out how it ended, for ``RetryPolicy``:
    /// a 2xx (or a status in `alsoSuccessful`) is the answer, its body streamed in up to
    /// `bodyLimit`; another status becomes whatever `failure` makes of it, its headers and its (cut)
    /// body (the provider's own error document); no answer becomes a connection failure naming
    /// `server`. S3, GCS and Azure all send through here.
    ///
    /// - Parameters:
    ///   - request: The request, signed or authorized as the provider needs.
    ///   - subject: What the request is about (`s3://bucket/key`), for errors.
    ///   - server: Who should have answered, for connection errors (`https://host`).
    ///   - bodyLimit: The most bytes of a successful answer to accept.
    ///   - alsoSuccessful: Error statuses that count as success here (404 for a delete).
    ///   - failure: The provider's reading of an error status, headers and body.
    /// - Returns: The answer.
    /// - Throws: ``HTTPAttemptFailure``, or ``ProviderError`` for a body past its limit.
    func attempt(
        _ request: HTTPClientRequest,
        subject: String,
        server: String,
        bodyLimit: Int64,
        alsoSuccessful: Set<Int> = [],
        failure: (_ status: Int, _ headers: HTTPHeaders, _ body: [UInt8]) -> HTTPAttemptFailure
    ) async throws -> ProviderResponse {
        do {
            let response = try await execute(request, timeout: .minutes(10))
            let length = response.headers.first(name: "content-length").flatMap { Int64($0) }
            let status = Int(response.status.code)
            guard (200...299).contains(status) || alsoSuccessful.contains(status) else {
                let body = try? await response.body.collect(limit: Self.errorBodyLimit, declaredLength: nil, subject: subject)
                throw failure(status, response.headers, body ?? [])
            }
            let body = try await response.body.collect(limit: bodyLimit, declaredLength: length, subject: subject)
            return ProviderResponse(headers: response.headers, body: body)
        } catch let error as HTTPAttemptFailure {
            throw error
        } catch let error as ProviderError {
            throw error
        } catch {
            throw HTTPAttemptFailure(
                kind: .connection, error: ProviderError(subject: subject, message: "cannot reach \(server): \(error)"))
        }
    }
}
