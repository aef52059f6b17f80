import FerryCore
import Foundation
import Testing

@testable import FerryProviders

/// Ferry's V4 signer reproduces, byte for byte, the signed URLs google-cloud-storage made for the
/// same key, objects, expiries and clock (scripts/vectors/make-gcs-v4-vectors.py).
@Suite struct GCSSignedURLVectorTests {
    struct Document: Decodable {
        struct Vector: Decodable {
            var bucket: String
            var key: String
            var expires_in_seconds: Int
            var endpoint_url: String
            var url: String
        }
        var key_file: String
        var now_unix_seconds: Int64
        var vectors: [Vector]
    }

    static func document() throws -> Document {
        try JSONDecoder().decode(Document.self, from: try GCSTestKey.vectorFile("gcs-v4-signed-urls.json"))
    }

    @Test func everyVectorIsReproducedExactly() throws {
        let document = try Self.document()
        #expect(document.vectors.count >= 8)
        let signer = GCSURLSigner(key: try GCSTestKey.key())
        for vector in document.vectors {
            let endpoint = try GCSEndpoint(vector.endpoint_url, subject: "gs://\(vector.bucket)")
            let url = try signer.signedURL(
                endpoint: endpoint, bucket: vector.bucket, key: vector.key, expiresIn: vector.expires_in_seconds,
                now: .unixSeconds(document.now_unix_seconds))
            #expect(url == vector.url, "\(vector.key) on \(vector.endpoint_url)")
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
        #expect(try store.presignedURL(for: vector.key, expiresIn: vector.expires_in_seconds, now: now) == vector.url)

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
