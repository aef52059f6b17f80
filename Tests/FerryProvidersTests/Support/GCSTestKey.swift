import CryptoExtras
import Foundation

@testable import FerryProviders

/// The throwaway service-account key committed beside the GCS vectors
/// (Vectors/gcs-TEST-ONLY-service-account-key.json): it grants nothing anywhere.
enum GCSTestKey {
    /// A file of the Vectors resource directory.
    static func vectorFile(_ name: String) throws -> Data {
        guard let url = Bundle.module.url(forResource: "Vectors/" + name, withExtension: nil) else {
            throw CocoaError(.fileNoSuchFile)
        }
        return try Data(contentsOf: url)
    }

    /// The key file's JSON, as a storage's `application_credentials` secret holds it.
    static func json() throws -> String {
        String(decoding: try vectorFile("gcs-TEST-ONLY-service-account-key.json"), as: UTF8.self)
    }

    /// The parsed key.
    static func key() throws -> GCSServiceAccountKey {
        try GCSServiceAccountKey(json: try json())
    }

    /// The key's public half, PEM.
    static func publicKeyPEM() throws -> String {
        try key().privateKey.publicKey.pemRepresentation
    }
}
