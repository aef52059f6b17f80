import FerryCore
import Foundation
import NIOHTTP1

/// Trades a signed JWT assertion for an access token at the account's token endpoint
/// (`POST token_uri`, `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`).
struct GCSTokenExchange: Sendable {
    /// The OAuth grant type of a JWT assertion.
    static let grantType = "urn:ietf:params:oauth:grant-type:jwt-bearer"

    let assertion: GCSTokenAssertion
    /// The token endpoint: the key's `token_uri` unless a test points elsewhere.
    let tokenURI: String
    let client: GCSClient
    /// What failures name (`gs://bucket`).
    let subject: String

    private struct Answer: Decodable {
        var access_token: String
        var expires_in: Int64
    }

    /// A fresh token.
    ///
    /// - Parameter now: The time the assertion is made at; the token's expiry counts from it.
    /// - Throws: ``ProviderError`` naming the storage, the token endpoint and its error.
    func fetch(now: FerryTime) async throws -> GCSAccessToken {
        let jwt = try await assertion.signed(audience: tokenURI, now: now)
        let form = "grant_type=" + URIEncoding.queryComponent(Self.grantType) + "&assertion=" + jwt
        let response = try await client.send(
            GCSClient.Request(
                method: .POST, url: tokenURI, subject: subject,
                headers: [("content-type", "application/x-www-form-urlencoded")], body: Array(form.utf8),
                bodyLimit: 64 * 1024, authorized: false, server: "the token endpoint \(tokenURI)"))
        guard let answer = try? JSONDecoder().decode(Answer.self, from: Data(response.body)), answer.expires_in > 0
        else {
            throw ProviderError(
                subject: subject, message: "the token endpoint \(tokenURI) answered without an access_token and expires_in")
        }
        return GCSAccessToken(value: answer.access_token, expiresAt: now + .seconds(answer.expires_in))
    }
}
