import CryptoExtras
import Foundation

/// A Google service-account key: the JSON file a storage's `application_credentials` secret
/// holds (`type`, `project_id`, `private_key_id`, `private_key`, `client_email`, `token_uri`).
///
/// Parsing names the field that is missing or wrong and never repeats the key's content. The
/// private key is kept only in its parsed form, and nothing here prints it.
public struct GCSServiceAccountKey: Sendable, CustomStringConvertible {
    /// The project the service account belongs to.
    public let projectID: String
    /// The id of the key, sent as the `kid` of the token request.
    public let privateKeyID: String
    /// The service account's e-mail address: the issuer of token requests and the signer of URLs.
    public let clientEmail: String
    /// Google's OAuth token endpoint for this account.
    public let tokenURI: String
    /// The RSA private key.
    let privateKey: _RSA.Signing.PrivateKey

    /// The secret's name.
    public static let secretName = "application_credentials"

    private struct Fields: Decodable {
        var type: String?
        var project_id: String?
        var private_key_id: String?
        var private_key: String?
        var client_email: String?
        var token_uri: String?
    }

    /// Parses a key.
    ///
    /// - Parameter json: The key file's content.
    /// - Throws: ``ProviderError`` naming the secret and the field that is missing or invalid.
    public init(json: String) throws {
        let subject = Self.secretName
        guard let fields = try? JSONDecoder().decode(Fields.self, from: Data(json.utf8)) else {
            throw ProviderError(subject: subject, message: "is not a JSON object (expected a service-account key file)")
        }
        func required(_ value: String?, _ name: String) throws -> String {
            guard let value, !value.isEmpty else {
                throw ProviderError(subject: subject, message: "has no \(name) (expected a service-account key file)")
            }
            return value
        }
        let type = try required(fields.type, "type")
        guard type == "service_account" else {
            throw ProviderError(subject: subject, message: "has type '\(type)'; only service_account keys are supported")
        }
        self.projectID = fields.project_id ?? ""
        self.privateKeyID = try required(fields.private_key_id, "private_key_id")
        self.clientEmail = try required(fields.client_email, "client_email")
        self.tokenURI = try required(fields.token_uri, "token_uri")
        let pem = try required(fields.private_key, "private_key")
        do {
            self.privateKey = try _RSA.Signing.PrivateKey(pemRepresentation: pem)
        } catch {
            throw ProviderError(subject: subject, message: "has a private_key that is not an RSA private key in PEM form")
        }
    }

    /// The account and key id; never the key.
    public var description: String {
        "service account \(clientEmail) (key \(privateKeyID))"
    }
}
