import AsyncHTTPClient
import Crypto
import FerryCore
import FerryProviders
import FerryTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// ``S3ObjectStore`` against a real moto S3 server with authentication enforced (see
/// ``MotoServer``): every request Ferry signs is checked by the server.
@Suite(.timeLimit(.minutes(3)))
struct S3ObjectStoreMotoTests {
    static let bucket = "ferry-tasks"

    /// The objects every listing test starts from: nested prefixes, keys with characters that
    /// need encoding, a folder marker, and objects outside the storage's prefix.
    static let seeded: [(key: String, bytes: [UInt8])] = [
        ("data/a.json", Array(#"{"text":"a"}"#.utf8)),
        ("data/b.json", Array(#"{"text":"b"}"#.utf8)),
        ("data/sp ace~1.json", Array(#"{"text":"space"}"#.utf8)),
        ("data/odd +=&:é (1).json", Array(#"{"text":"odd"}"#.utf8)),
        ("data/sub/", []),
        ("data/sub/c.json", Array(#"[{"text":"c0"},{"text":"c1"}]"#.utf8)),
        ("data/sub/deeper/d.jsonl", Array("{\"text\":\"d0\"}\n{\"text\":\"d1\"}\n".utf8)),
        ("data/sub/deeper/e.json", Array(#"{"text":"e"}"#.utf8)),
        ("data2/not-in-prefix.json", Array("{}".utf8)),
        ("top.json", Array("{}".utf8)),
    ]

    static func seededServer(enforcingAuthentication: Bool = true) async throws -> MotoServer {
        let moto = try await MotoServer.start(enforcingAuthentication: enforcingAuthentication)
        try await moto.createBucket(bucket)
        try await moto.put(bucket: bucket, objects: seeded)
        return moto
    }

    static func store(
        _ moto: MotoServer, bucket: String = bucket, prefix: String = "", recursive: Bool = true,
        secret: String? = nil, accessKeyID: String? = nil
    ) throws -> S3ObjectStore {
        let location = S3Location(bucket: bucket, endpointURL: moto.endpointURL, forcePathStyle: true)
        let secrets = StorageSecrets([
            "access_key_id": accessKeyID ?? moto.accessKeyID, "secret_access_key": secret ?? moto.secretAccessKey,
        ])
        return try S3ObjectStore(
            target: ProviderTarget(location: .s3(location), prefix: prefix, recursive: recursive, secrets: secrets),
            context: ProviderContext(localFilesRoot: nil, parallelism: 3),
            transport: ProviderTransport(retry: RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(10))))
    }

    static func md5(_ bytes: [UInt8]) -> String {
        Insecure.MD5.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    // MARK: Authentication

    @Test func aWrongSecretOrAnUnknownKeyIsRefusedByTheServer() async throws {
        let moto = try await Self.seededServer()
        defer { moto.stop() }
        let wrongSecret = try Self.store(moto, secret: "not-the-secret")
        let refused = await #expect(throws: ProviderError.self) { _ = try await wrongSecret.makeLister().next(maxCount: 10) }
        #expect(refused?.code == "SignatureDoesNotMatch", "\(String(describing: refused))")
        #expect(refused?.subject == "s3://\(Self.bucket)")
        #expect(refused?.description.contains("403") == true, "\(String(describing: refused))")

        let unknownKey = try Self.store(moto, accessKeyID: "AKIAUNKNOWNFERRYKEY0")
        let unknown = await #expect(throws: ProviderError.self) { _ = try await unknownKey.read(["data/a.json"]) }
        #expect(unknown?.code == "InvalidAccessKeyId", "\(String(describing: unknown))")
        #expect(unknown?.subject == "s3://\(Self.bucket)/data/a.json")

        // The right key still works on the same server: the refusals were about the keys.
        #expect(try await Self.store(moto).read(["data/a.json"]).first?.bytes == Self.seeded[0].bytes)
    }

    // MARK: Listing

    @Test func aRecursiveListingPagesThroughEveryObjectUnderThePrefix() async throws {
        let moto = try await Self.seededServer()
        defer { moto.stop() }
        let (objects, pages) = try await Self.store(moto, prefix: "data").listAll(pageSize: 2)
        let expected = Self.seeded.filter { $0.key.hasPrefix("data/") && !$0.key.hasSuffix("/") }
        #expect(objects.map(\.key).sorted() == expected.map(\.key).sorted())
        #expect(pages >= 3, "page size 2 over \(expected.count) objects gave \(pages) pages")
        for object in objects {
            let bytes = try #require(expected.first { $0.key == object.key }?.bytes)
            #expect(object.size == Int64(bytes.count), "\(object.key)")
            #expect(object.etag == Self.md5(bytes), "\(object.key)")
            #expect(object.lastModified != nil)
        }
    }

    @Test func aNonRecursiveListingTakesOnlyThePrefixsFirstLevel() async throws {
        let moto = try await Self.seededServer()
        defer { moto.stop() }
        let (objects, _) = try await Self.store(moto, prefix: "data/", recursive: false).listAll(pageSize: 1)
        #expect(objects.map(\.key).sorted() == ["data/a.json", "data/b.json", "data/odd +=&:é (1).json", "data/sp ace~1.json"])
        let (whole, _) = try await Self.store(moto, recursive: false).listAll(pageSize: 1000)
        #expect(whole.map(\.key) == ["top.json"])
    }

    // MARK: Reading, writing, deleting

    @Test func readsReturnEachObjectsBytesInTheOrderAsked() async throws {
        let moto = try await Self.seededServer()
        defer { moto.stop() }
        let keys = [
            "data/sub/deeper/e.json", "data/sp ace~1.json", "top.json", "data/odd +=&:é (1).json", "data/sub/c.json",
            "data/a.json",
        ]
        let objects = try await Self.store(moto).read(keys)
        #expect(objects.map(\.key) == keys)
        for object in objects {
            #expect(object.bytes == Self.seeded.first { $0.key == object.key }?.bytes, "\(object.key)")
        }
        #expect(try await Self.store(moto, prefix: "data").validate() != nil)
    }

    @Test func aMissingObjectOrBucketIsReportedWithTheServersCode() async throws {
        let moto = try await Self.seededServer()
        defer { moto.stop() }
        let missingKey = await #expect(throws: ProviderError.self) { _ = try await Self.store(moto).read(["data/nope.json"]) }
        #expect(missingKey?.code == "NoSuchKey")
        #expect(missingKey?.subject == "s3://\(Self.bucket)/data/nope.json")

        let noBucket = try Self.store(moto, bucket: "no-such-bucket")
        let listing = await #expect(throws: ProviderError.self) { _ = try await noBucket.makeLister().next(maxCount: 5) }
        #expect(listing?.code == "NoSuchBucket", "\(String(describing: listing))")
        #expect(listing?.description.contains("s3://no-such-bucket") == true)
        let read = await #expect(throws: ProviderError.self) { _ = try await noBucket.read(["a.json"]) }
        #expect(read?.code == "NoSuchBucket")
    }

    @Test func writeThenDeleteAsTheReferenceClientSeesIt() async throws {
        let moto = try await Self.seededServer()
        defer { moto.stop() }
        let store = try Self.store(moto)
        let bytes = Array(#"{"id": 7, "text": "exported ✓"}"#.utf8)
        let written = try await store.write(key: "export/sub dir/7.json", bytes: bytes, contentType: "application/json")
        #expect(written.key == "export/sub dir/7.json")
        #expect(written.etag == Self.md5(bytes))
        #expect(try await moto.get(bucket: Self.bucket, key: "export/sub dir/7.json") == bytes)

        let replaced = try await store.write(key: "export/sub dir/7.json", bytes: Array("{}".utf8), contentType: "application/json")
        #expect(replaced.etag == Self.md5(Array("{}".utf8)))
        #expect(try await moto.get(bucket: Self.bucket, key: "export/sub dir/7.json") == Array("{}".utf8))

        try await store.delete(key: "export/sub dir/7.json")
        #expect(try await moto.get(bucket: Self.bucket, key: "export/sub dir/7.json") == nil)
        try await store.delete(key: "export/never-there.json")
    }

    @Test func theBlobURLNamesBucketAndKey() async throws {
        let moto = try await Self.seededServer()
        defer { moto.stop() }
        #expect(try Self.store(moto).blobURL(for: "data/sub/c.json") == "s3://ferry-tasks/data/sub/c.json")
    }

    // MARK: Presigned URLs

    /// moto 5.2.1 answers 500 to any query-signed URL while authentication is enforced (it reads
    /// only the `Authorization` header), so this runs on a server without enforcement: it shows
    /// that the URL addresses the object and is fetched by a plain GET. The signature itself is
    /// checked against botocore's in SigV4VectorTests.
    @Test func aPresignedURLDownloadsTheObjectWithAPlainGET() async throws {
        let moto = try await Self.seededServer(enforcingAuthentication: false)
        defer { moto.stop() }
        let store = try Self.store(moto)
        for key in ["data/sub/c.json", "data/odd +=&:é (1).json"] {
            let url = store.presignedURL(for: key, expiresIn: 300)
            #expect(url.hasPrefix(moto.endpointURL + "/\(Self.bucket)/"))
            #expect(url.contains("X-Amz-Expires=300") && url.contains("X-Amz-Signature="))
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
            #expect(response.status.code == 200)
            let body = try await response.body.collect(upTo: 1 << 20)
            #expect(Array(buffer: body) == Self.seeded.first { $0.key == key }?.bytes)
        }
    }
}
