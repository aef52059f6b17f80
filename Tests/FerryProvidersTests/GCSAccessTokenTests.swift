import AsyncHTTPClient
import CryptoExtras
import FerryCore
import Foundation
import JWTKit
import Testing

@testable import FerryProviders

/// The token exchange against a loopback token endpoint that checks each assertion's RS256
/// signature with the test key's public half: tokens are cached, refreshed 60 s before they
/// expire, fetched once for many concurrent callers, and refusals carry the endpoint's error.
@Suite(.timeLimit(.minutes(2)))
struct GCSAccessTokenTests {
    static let subject = "gs://ferry-tokens"

    static func tokens(
        _ endpoint: LoopbackTokenEndpoint, key: GCSServiceAccountKey, clock: ManualClock
    ) throws -> GCSAccessTokens {
        let client = GCSClient(http: HTTPClient.shared, retry: RetryPolicy(maxAttempts: 1), tokens: nil)
        let exchange = GCSTokenExchange(
            assertion: try GCSTokenAssertion(key: key), tokenURI: endpoint.url, client: client, subject: subject)
        return GCSAccessTokens(exchange: exchange, clock: { clock.now() })
    }

    static func realNow() -> FerryTime {
        FerryTime(unixMicroseconds: Int64(Date().timeIntervalSince1970 * 1_000_000))
    }

    @Test func aTokenIsCachedUntilAMinuteBeforeItExpiresThenRefreshed() async throws {
        let endpoint = try await LoopbackTokenEndpoint.start(publicKeyPEM: try GCSTestKey.publicKeyPEM())
        let clock = ManualClock(Self.realNow())
        let tokens = try Self.tokens(endpoint, key: try GCSTestKey.key(), clock: clock)

        #expect(try await tokens.accessToken() == "token-1")
        clock.advance(by: .seconds(LoopbackTokenEndpoint.lifetime - 61))
        #expect(try await tokens.accessToken() == "token-1", "refreshed more than a minute early")
        clock.advance(by: .seconds(1))
        #expect(try await tokens.accessToken() == "token-2", "kept less than a minute before expiry")
        #expect(endpoint.exchanges == 2)

        let claims = try #require(endpoint.claims.first)
        #expect(claims.iss.value == "ferry-vectors@ferry-test-only.iam.gserviceaccount.com")
        #expect(claims.scope == "https://www.googleapis.com/auth/devstorage.read_write")
        #expect(claims.aud.value == [endpoint.url])
        #expect(claims.exp.value.timeIntervalSince(claims.iat.value) == 3600)
        await endpoint.stop()
    }

    @Test func concurrentCallersShareOneExchange() async throws {
        let endpoint = try await LoopbackTokenEndpoint.start(publicKeyPEM: try GCSTestKey.publicKeyPEM())
        let tokens = try Self.tokens(endpoint, key: try GCSTestKey.key(), clock: ManualClock(Self.realNow()))
        let values = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<32 { group.addTask { try await tokens.accessToken() } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(values) == ["token-1"])
        #expect(endpoint.exchanges == 1)
        await endpoint.stop()
    }

    @Test func anAssertionSignedByAnotherKeyIsRefusedWithTheEndpointsError() async throws {
        let endpoint = try await LoopbackTokenEndpoint.start(publicKeyPEM: try GCSTestKey.publicKeyPEM())
        let otherPEM = try _RSA.Signing.PrivateKey(keySize: .bits2048).pemRepresentation
        var fields = try GCSServiceAccountKeyTests.fields()
        fields["private_key"] = otherPEM
        let impostor = try GCSServiceAccountKey(json: try GCSServiceAccountKeyTests.json(fields))
        let tokens = try Self.tokens(endpoint, key: impostor, clock: ManualClock(Self.realNow()))

        let error = await #expect(throws: ProviderError.self) { try await tokens.accessToken() }
        #expect(error?.subject == Self.subject)
        #expect(error?.code == "invalid_grant")
        #expect(error?.message == "the token endpoint \(endpoint.url) answered 400: Invalid JWT Signature.")
        #expect(endpoint.exchanges == 0)
        await endpoint.stop()
    }
}
