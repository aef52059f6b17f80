import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// A successful provider answer: its headers and whole body.
struct ProviderResponse: Sendable {
    /// The headers.
    var headers: HTTPHeaders
    /// The whole body.
    var body: [UInt8]
}

/// One attempt at a signed provider request, the part every cloud provider shares: send it,
/// take a 2xx body up to a limit, and turn anything else into an ``HTTPAttemptFailure`` for
/// ``RetryPolicy`` to judge.
enum ProviderExchange {
    /// Error bodies longer than this are cut (they are a few hundred bytes).
    static let errorBodyLimit: Int64 = 64 * 1024

    /// Sends one request.
    ///
    /// - Parameters:
    ///   - request: The signed request.
    ///   - http: The client.
    ///   - subject: The object or container it concerns (`s3://b/k`), for errors.
    ///   - origin: `scheme://host[:port]`, for the "cannot reach" error.
    ///   - bodyLimit: The most bytes of a successful answer to accept.
    ///   - failure: Makes the failure of an error answer from its status, headers and body (the
    ///     provider's own error document).
    /// - Returns: The successful answer (any 2xx).
    /// - Throws: ``HTTPAttemptFailure`` for an error status or a connection error;
    ///   ``ProviderError`` for a body past the limit.
    static func attempt(
        _ request: HTTPClientRequest, http: HTTPClient, subject: String, origin: String, bodyLimit: Int64,
        failure: (_ status: Int, _ headers: HTTPHeaders, _ body: [UInt8]) -> HTTPAttemptFailure
    ) async throws -> ProviderResponse {
        do {
            let response = try await http.execute(request, timeout: .minutes(10))
            let length = response.headers.first(name: "content-length").flatMap { Int64($0) }
            let status = Int(response.status.code)
            guard (200...299).contains(status) else {
                let body = try? await response.body.collect(limit: errorBodyLimit, declaredLength: nil, subject: subject)
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
                kind: .connection, error: ProviderError(subject: subject, message: "cannot reach \(origin): \(error)"))
        }
    }
}
