import CryptoExtras
import Foundation

@testable import FerryProviders

/// A service-account key made in memory when the tests run (no private key is committed): it
/// belongs to no Google account and grants nothing anywhere. Its e-mail is the one the GCS
/// vectors were signed for, so a signer built on it reproduces their URLs up to the signature.
enum GCSTestKey {
    /// The vectors' service account.
    static let clientEmail = "ferry-vectors@ferry-test-only.iam.gserviceaccount.com"

    private static let generated: Result<_RSA.Signing.PrivateKey, any Error> = Result {
        try _RSA.Signing.PrivateKey(keySize: .bits2048)
    }

    /// A file of the Vectors resource directory.
    static func vectorFile(_ name: String) throws -> Data {
        guard let url = Bundle.module.url(forResource: "Vectors/" + name, withExtension: nil) else {
            throw CocoaError(.fileNoSuchFile)
        }
        return try Data(contentsOf: url)
    }

    /// The key file's JSON, as a storage's `application_credentials` secret holds it.
    static func json() throws -> String {
        let fields = [
            "type": "service_account",
            "project_id": "ferry-test-only",
            "private_key_id": "0000000000000000000000000000000000test",
            "private_key": try generated.get().pemRepresentation,
            "client_email": clientEmail,
            "client_id": "000000000000000000000",
            "token_uri": "https://oauth2.googleapis.com/token",
        ]
        return String(decoding: try JSONSerialization.data(withJSONObject: fields), as: UTF8.self)
    }

    /// The parsed key.
    static func key() throws -> GCSServiceAccountKey {
        try GCSServiceAccountKey(json: try json())
    }

    /// The key's public half, PEM.
    static func publicKeyPEM() throws -> String {
        try generated.get().publicKey.pemRepresentation
    }
}
