import AsyncHTTPClient
import FerryCore
import FerryTestSupport
import Foundation
import Testing

@testable import FerryProviders

/// ``GCSObjectStore`` over the JSON API of a real fake-gcs-server (``FakeGCSServer``), seeded
/// through its own API. fake-gcs-server does not check tokens: authorization is covered by
/// ``GCSAccessTokenTests`` and by the listing below that goes through the token exchange.
@Suite(.timeLimit(.minutes(3)))
struct GCSObjectStoreFakeServerTests {
    static let bucket = "ferry-tasks"

    /// Nested prefixes, names that need encoding, and objects outside the storage's prefix.
    static let seeded: [(key: String, bytes: [UInt8])] = [
        ("data/a.json", Array(#"{"text":"a"}"#.utf8)),
        ("data/b.json", Array(#"{"text":"b"}"#.utf8)),
        ("data/sp ace+plus~1.json", Array(#"{"text":"space"}"#.utf8)),
        ("data/sub/c.json", Array(#"[{"text":"c0"},{"text":"c1"}]"#.utf8)),
        ("data/sub/deeper/d.jsonl", Array("{\"text\":\"d0\"}\n{\"text\":\"d1\"}\n".utf8)),
        ("data/sub/deeper/é.json", Array(#"{"text":"e"}"#.utf8)),
        ("data2/not-in-prefix.json", Array("{}".utf8)),
        ("top.json", Array("{}".utf8)),
    ]

    static func seededServer() async throws -> FakeGCSServer {
        let server = try await FakeGCSServer.start()
        try await server.createBucket(bucket)
        try await server.put(bucket: bucket, objects: seeded)
        return server
    }

    static func store(
        _ server: FakeGCSServer, bucket: String = bucket, prefix: String = "", recursive: Bool = true,
        secrets: StorageSecrets = .none, tokenURI: String? = nil
    ) throws -> GCSObjectStore {
        let location = GCSLocation(bucket: bucket, endpointURL: server.endpointURL)
        return try GCSObjectStore(
            target: ProviderTarget(location: .gcs(location), prefix: prefix, recursive: recursive, secrets: secrets),
            context: ProviderContext(localFilesRoot: nil, parallelism: 3),
            transport: ProviderTransport(retry: RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(10))), tokenURI: tokenURI)
    }

    // MARK: Listing

    @Test func aRecursiveListingPagesThroughEveryObjectUnderThePrefix() async throws {
        let server = try await Self.seededServer()
        defer { server.stop() }
        let (objects, pages) = try await Self.store(server, prefix: "data").listAll(pageSize: 2)
        let expected = Self.seeded.filter { $0.key.hasPrefix("data/") }
        #expect(objects.map(\.key).sorted() == expected.map(\.key).sorted())
        #expect(pages >= 3, "page size 2 over \(expected.count) objects gave \(pages) pages")
        for object in objects {
            let bytes = try #require(expected.first { $0.key == object.key }?.bytes)
            #expect(object.size == Int64(bytes.count), "\(object.key)")
            #expect(object.etag?.isEmpty == false, "\(object.key)")
            #expect(object.lastModified != nil)
        }
    }

    @Test func aNonRecursiveListingTakesOnlyThePrefixsFirstLevel() async throws {
        let server = try await Self.seededServer()
        defer { server.stop() }
        let (objects, pages) = try await Self.store(server, prefix: "data/", recursive: false).listAll(pageSize: 1)
        #expect(objects.map(\.key).sorted() == ["data/a.json", "data/b.json", "data/sp ace+plus~1.json"])
        #expect(pages == 3)
        let (whole, _) = try await Self.store(server, recursive: false).listAll(pageSize: 1000)
        #expect(whole.map(\.key) == ["top.json"])
    }

    // MARK: Reading, writing, deleting

    @Test func readsReturnEachObjectsBytesInTheOrderAsked() async throws {
        let server = try await Self.seededServer()
        defer { server.stop() }
        let keys = ["data/sub/deeper/é.json", "data/sp ace+plus~1.json", "top.json", "data/sub/c.json", "data/a.json"]
        let objects = try await Self.store(server).read(keys)
        #expect(objects.map(\.key) == keys)
        for object in objects {
            #expect(object.bytes == Self.seeded.first { $0.key == object.key }?.bytes, "\(object.key)")
        }
        #expect(try await Self.store(server, prefix: "data").validate() != nil)
    }

    @Test func aMissingObjectOrBucketIsReportedWithTheServersAnswer() async throws {
        let server = try await Self.seededServer()
        defer { server.stop() }
        let missingKey = await #expect(throws: ProviderError.self) { _ = try await Self.store(server).read(["data/nope.json"]) }
        #expect(missingKey?.subject == "gs://\(Self.bucket)/data/nope.json")
        #expect(missingKey?.description.contains("404") == true, "\(String(describing: missingKey))")

        let noBucket = try Self.store(server, bucket: "no-such-bucket")
        let listing = await #expect(throws: ProviderError.self) { _ = try await noBucket.makeLister().next(maxCount: 5) }
        // fake-gcs-server's reason for a missing bucket is "Not Found" (Google's is "notFound").
        #expect(listing?.code == "Not Found", "\(String(describing: listing))")
        #expect(listing?.description == "gs://no-such-bucket: GCS answered 404: Not Found (Not Found)")
    }

    @Test func writeThenDeleteAsTheServerSeesIt() async throws {
        let server = try await Self.seededServer()
        defer { server.stop() }
        let store = try Self.store(server)
        let key = "export/sub dir/7+1.json"
        let bytes = Array(#"{"id": 7, "text": "exported ✓"}"#.utf8)
        let written = try await store.write(key: key, bytes: bytes, contentType: "application/json")
        #expect(written.key == key)
        #expect(written.etag?.isEmpty == false)
        #expect(try await server.get(bucket: Self.bucket, key: key) == bytes)

        _ = try await store.write(key: key, bytes: Array("{}".utf8), contentType: "application/json")
        #expect(try await server.get(bucket: Self.bucket, key: key) == Array("{}".utf8))

        try await store.delete(key: key)
        #expect(try await server.get(bucket: Self.bucket, key: key) == nil)
        try await store.delete(key: "export/never-there.json")
    }

    @Test func theBlobURLNamesBucketAndKey() async throws {
        let server = try await Self.seededServer()
        defer { server.stop() }
        #expect(try Self.store(server).blobURL(for: "data/sub/c.json") == "gs://ferry-tasks/data/sub/c.json")
    }

    // MARK: Credentials

    @Test func withAKeyEveryRequestGoesThroughOneTokenExchange() async throws {
        let server = try await Self.seededServer()
        defer { server.stop() }
        let endpoint = try await LoopbackTokenEndpoint.start(publicKeyPEM: try GCSTestKey.publicKeyPEM())
        let secrets = StorageSecrets([GCSServiceAccountKey.secretName: try GCSTestKey.json()])
        let store = try Self.store(server, prefix: "data", secrets: secrets, tokenURI: endpoint.url)
        let (objects, _) = try await store.listAll(pageSize: 2)
        _ = try await store.read(objects.map(\.key))
        #expect(endpoint.exchanges == 1)
        await endpoint.stop()
    }

    @Test func googlesEndpointNeedsAKeyAndABrokenKeyIsNamed() throws {
        let context = ProviderContext(localFilesRoot: nil)
        let google = ProviderTarget(location: .gcs(GCSLocation(bucket: "b")))
        let noKey = #expect(throws: ProviderError.self) { try GCSObjectStore(target: google, context: context) }
        #expect(noKey?.description.contains("application_credentials") == true)

        var broken = google
        broken.secrets = StorageSecrets([GCSServiceAccountKey.secretName: #"{"type":"service_account"}"#])
        let badKey = #expect(throws: ProviderError.self) { try GCSObjectStore(target: broken, context: context) }
        #expect(badKey?.description == "gs://b: application_credentials has no private_key_id (expected a service-account key file)")
    }

    @Test func theStandardRegistryOffersGCS() throws {
        #expect(ProviderRegistry.standard(ProviderContext(localFilesRoot: nil)).providers.contains(.gcs))
    }
}
