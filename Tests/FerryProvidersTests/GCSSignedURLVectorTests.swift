import CryptoExtras
import FerryCore
import Foundation
import Testing

@testable import FerryProviders

/// Ferry's V4 signer reproduces, byte for byte, what google-cloud-storage made for the same
/// account, objects, expiries and clock (scripts/vectors/make-gcs-v4-vectors.py): the URL up to its
/// signature and the string the library signed. The library's signature verifies against the
/// public key recorded with the vectors over that string, so the string is exactly what Google's
/// code signs; Ferry's own signature, made with a key generated at run time, verifies the same way.
@Suite struct GCSSignedURLVectorTests {
    struct Document: Decodable {
        struct Vector: Decodable {
            var bucket: String
            var key: String
            var expires_in_seconds: Int
            var endpoint_url: String
            var string_to_sign: String
            var url: String

            /// The URL without its signature, and the signature's bytes.
            func split() throws -> (unsignedURL: String, signature: Data) {
                try GCSSignedURLVectorTests.split(url)
            }
        }
        var client_email: String
        var public_key_pem: String
        var now_unix_seconds: Int64
        var vectors: [Vector]
    }

    static func document() throws -> Document {
        try JSONDecoder().decode(Document.self, from: try GCSTestKey.vectorFile("gcs-v4-signed-urls.json"))
    }

    /// Splits a signed URL at `&X-Goog-Signature=` and decodes the hex signature.
    static func split(_ url: String) throws -> (unsignedURL: String, signature: Data) {
        let marker = "&X-Goog-Signature="
        let range = try #require(url.range(of: marker))
        let hex = Array(url[range.upperBound...].utf8)
        try #require(hex.count % 2 == 0)
        let bytes = try stride(from: 0, to: hex.count, by: 2).map { index in
            try #require(UInt8(String(decoding: hex[index..<index + 2], as: UTF8.self), radix: 16))
        }
        return (String(url[..<range.lowerBound]), Data(bytes))
    }

    static func verifies(_ signature: Data, of message: String, publicKeyPEM: String) throws -> Bool {
        try _RSA.Signing.PublicKey(pemRepresentation: publicKeyPEM).isValidSignature(
            _RSA.Signing.RSASignature(rawRepresentation: signature), for: Data(message.utf8),
            padding: .insecurePKCS1v1_5)
    }

    static func request(_ vector: Document.Vector, now: Int64) throws -> GCSURLSigner.Request {
        try GCSURLSigner.request(
            clientEmail: GCSTestKey.clientEmail,
            endpoint: try GCSEndpoint(vector.endpoint_url, subject: "gs://\(vector.bucket)"),
            bucket: vector.bucket, key: vector.key, expiresIn: vector.expires_in_seconds, now: .unixSeconds(now))
    }

    @Test func everyVectorsURLAndStringToSignAreReproducedExactly() throws {
        let document = try Self.document()
        #expect(document.vectors.count >= 8)
        #expect(document.client_email == GCSTestKey.clientEmail)
        for vector in document.vectors {
            let (unsignedURL, signature) = try vector.split()
            let ferry = try Self.request(vector, now: document.now_unix_seconds)
            #expect(ferry.unsignedURL == unsignedURL, "\(vector.key) on \(vector.endpoint_url)")
            #expect(ferry.stringToSign == vector.string_to_sign, "\(vector.key) on \(vector.endpoint_url)")
            #expect(try Self.verifies(signature, of: vector.string_to_sign, publicKeyPEM: document.public_key_pem))
        }
    }

    @Test func aTamperedVectorFailsVerification() throws {
        let document = try Self.document()
        let vector = try #require(document.vectors.first)
        let (_, signature) = try vector.split()
        #expect(try !Self.verifies(signature, of: vector.string_to_sign + "x", publicKeyPEM: document.public_key_pem))
        #expect(try !Self.verifies(signature, of: vector.string_to_sign, publicKeyPEM: try GCSTestKey.publicKeyPEM()))
    }

    @Test func ferrysSignatureOfEveryVectorVerifiesWithItsKey() throws {
        let document = try Self.document()
        let signer = GCSURLSigner(key: try GCSTestKey.key())
        for vector in document.vectors {
            let endpoint = try GCSEndpoint(vector.endpoint_url, subject: "gs://\(vector.bucket)")
            let url = try signer.signedURL(
                endpoint: endpoint, bucket: vector.bucket, key: vector.key, expiresIn: vector.expires_in_seconds,
                now: .unixSeconds(document.now_unix_seconds))
            let (unsignedURL, signature) = try Self.split(url)
            #expect(unsignedURL == (try vector.split()).unsignedURL)
            #expect(try Self.verifies(signature, of: vector.string_to_sign, publicKeyPEM: try GCSTestKey.publicKeyPEM()))
        }
    }

    @Test func theStoreSignsOnItsOwnEndpointAndRefusesWithoutAKey() throws {
        let document = try Self.document()
        let vector = try #require(document.vectors.first { !$0.endpoint_url.isEmpty })
        let location = GCSLocation(bucket: vector.bucket, endpointURL: vector.endpoint_url)
        let secrets = StorageSecrets([GCSServiceAccountKey.secretName: try GCSTestKey.json()])
        let context = ProviderContext(localFilesRoot: nil)
        let store = try GCSObjectStore(target: ProviderTarget(location: .gcs(location), secrets: secrets), context: context)
        let now = FerryTime.unixSeconds(document.now_unix_seconds)
        let url = try store.presignedURL(for: vector.key, expiresIn: vector.expires_in_seconds, now: now)
        let (unsignedURL, signature) = try Self.split(url)
        #expect(unsignedURL == (try vector.split()).unsignedURL)
        #expect(try Self.verifies(signature, of: vector.string_to_sign, publicKeyPEM: try GCSTestKey.publicKeyPEM()))

        let anonymous = try GCSObjectStore(target: ProviderTarget(location: .gcs(location)), context: context)
        let refused = #expect(throws: ProviderError.self) { try anonymous.presignedURL(for: "k", expiresIn: 60, now: now) }
        #expect(refused?.description.contains("application_credentials") == true)
    }

    @Test func expiriesOutsideGooglesRangeAreRefused() throws {
        let signer = GCSURLSigner(key: try GCSTestKey.key())
        let endpoint = try GCSEndpoint("", subject: "gs://b")
        for seconds in [0, -1, 604_801] {
            #expect(throws: ProviderError.self) {
                try signer.signedURL(endpoint: endpoint, bucket: "b", key: "k", expiresIn: seconds, now: .epoch)
            }
        }
    }
}
