import FerryCore
import Foundation
import JWTKit

/// The claims of the signed JWT a service account trades for an access token (Google's
/// "OAuth 2.0 for server to server applications": `iss`, `scope`, `aud`, `iat`, `exp`).
struct GCSTokenClaims: JWTPayload, Equatable {
    /// The service account's e-mail address.
    var iss: IssuerClaim
    /// The scopes asked for, space-separated.
    var scope: String
    /// The token endpoint the assertion is meant for.
    var aud: AudienceClaim
    /// When the assertion was made.
    var iat: IssuedAtClaim
    /// When the assertion stops being accepted (Google allows at most an hour).
    var exp: ExpirationClaim

    /// Checks the expiry (the token endpoint checks the rest).
    func verify(using algorithm: some JWTAlgorithm) throws {
        try exp.verifyNotExpired()
    }
}

/// Makes the RS256-signed JWT assertions of one service-account key.
struct GCSTokenAssertion: Sendable {
    /// Read and write access to objects.
    static let scope = "https://www.googleapis.com/auth/devstorage.read_write"
    /// How long an assertion is valid: Google's maximum.
    static let lifetime: Int64 = 3600

    private let signingKey: Insecure.RSA.PrivateKey
    private let issuer: String
    private let keyID: JWKIdentifier

    /// - Throws: ``ProviderError`` when the key is too short for RS256.
    init(key: GCSServiceAccountKey) throws {
        do {
            signingKey = try Insecure.RSA.PrivateKey(backing: key.privateKey)
        } catch {
            throw ProviderError(
                subject: GCSServiceAccountKey.secretName, message: "has a private_key too short to sign with (\(error))")
        }
        keyID = JWKIdentifier(string: key.privateKeyID)
        issuer = key.clientEmail
    }

    /// The claims of an assertion made at `now` for `audience`, in whole seconds.
    func claims(audience: String, now: FerryTime) -> GCSTokenClaims {
        let issued = now.unixMicroseconds / 1_000_000
        return GCSTokenClaims(
            iss: IssuerClaim(value: issuer),
            scope: Self.scope,
            aud: AudienceClaim(value: [audience]),
            iat: IssuedAtClaim(value: Date(timeIntervalSince1970: TimeInterval(issued))),
            exp: ExpirationClaim(value: Date(timeIntervalSince1970: TimeInterval(issued + Self.lifetime)))
        )
    }

    /// A signed assertion for the token endpoint `audience`, made at `now`. (Exchanges are an
    /// hour apart, so the key collection is made for each.)
    func signed(audience: String, now: FerryTime) async throws -> String {
        do {
            let keys = await JWTKeyCollection().add(rsa: signingKey, digestAlgorithm: .sha256, kid: keyID)
            return try await keys.sign(claims(audience: audience, now: now), kid: keyID)
        } catch {
            throw ProviderError(subject: GCSServiceAccountKey.secretName, message: "cannot sign a token request: \(error)")
        }
    }
}
