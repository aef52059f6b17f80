import AsyncHTTPClient
import FerryCore
import FerryTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import Testing

@testable import FerryProviders

/// The Azure Blob store against a local double of the service (scripts/azure-blob-double.py),
/// which checks every request's signature with the official SDK's code.
@Suite(.serialized)
struct AzureBlobObjectStoreTests {
    static let blobs: [String: [UInt8]] = [
        "in/1.json": Array(#"{"n": 1}"#.utf8),
        "in/2.json": Array(#"{"n": 2}"#.utf8),
        "in/3.json": Array(#"{"n": 3}"#.utf8),
        "in/deep/4.json": Array(#"{"n": 4}"#.utf8),
        "in/deep/deeper/5.json": Array(#"{"n": 5}"#.utf8),
        "in/été 2026/東京 + x.json": Array(#"{"n": 6}"#.utf8),
        "in/x y.json": Array(#"{"n": 7}"#.utf8),
        "input-elsewhere/8.json": Array(#"{"n": 8}"#.utf8),
        "top.json": Array(#"{"n": 9}"#.utf8),
    ]

    static func store(
        _ double: AzureBlobDouble, container: String = "data", prefix: String = "in", recursive: Bool = true,
        secrets: [String: String]? = nil
    ) throws -> AzureBlobObjectStore {
        let location = AzureBlobLocation(container: container, accountName: double.account, endpointURL: double.endpointURL)
        let target = ProviderTarget(
            location: .azureBlob(location), prefix: prefix, recursive: recursive,
            secrets: StorageSecrets(secrets ?? ["account_key": double.accountKey]))
        return try AzureBlobObjectStore(
            target: target, context: ProviderContext(localFilesRoot: nil, parallelism: 4),
            transport: ProviderTransport(retry: RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(10))))
    }

    static func everything(_ lister: any ObjectLister, pageSize: Int) async throws -> [ListedObject] {
        var all: [ListedObject] = []
        while let page = try await lister.next(maxCount: pageSize) {
            #expect(page.count <= pageSize)
            all += page
        }
        return all
    }

    @Test func listsRecursivelyInPagesSmallerThanTheListing() async throws {
        let double = try await AzureBlobDouble.start(containers: ["data": Self.blobs])
        defer { double.stop() }
        let listed = try await Self.everything(try Self.store(double).makeLister(), pageSize: 3)
        let expected = Self.blobs.keys.filter { $0.hasPrefix("in/") }.sorted()
        #expect(listed.map(\.key) == expected)
        let first = try #require(listed.first)
        #expect(first.size == 8)
        #expect(first.etag?.hasPrefix("0x8D") == true)
        #expect(first.lastModified != nil)
        let lists = try await double.requests().filter { $0.query["comp"] == "list" }
        #expect(lists.count == 3)
        #expect(lists.allSatisfy { $0.query["maxresults"] == "3" && $0.query["prefix"] == "in/" })
        #expect(lists.dropFirst().allSatisfy { $0.query["marker"] != nil })
    }

    @Test func listsOneLevelWithoutTheFolders() async throws {
        let double = try await AzureBlobDouble.start(containers: ["data": Self.blobs])
        defer { double.stop() }
        let listed = try await Self.everything(try Self.store(double, recursive: false).makeLister(), pageSize: 2)
        #expect(listed.map(\.key) == ["in/1.json", "in/2.json", "in/3.json", "in/x y.json"])
        #expect(try await double.requests().allSatisfy { $0.query["delimiter"] == "/" })
    }

    @Test func readsBlobsWithAnyName() async throws {
        let double = try await AzureBlobDouble.start(containers: ["data": Self.blobs])
        defer { double.stop() }
        let keys = ["in/été 2026/東京 + x.json", "in/x y.json", "in/1.json"]
        let loaded = try await Self.store(double).read(keys)
        #expect(loaded.map(\.key) == keys)
        #expect(loaded.map(\.bytes) == keys.map { Self.blobs[$0] })
    }

    @Test func writesAndDeletes() async throws {
        let double = try await AzureBlobDouble.start(containers: ["data": [:]])
        defer { double.stop() }
        let store = try Self.store(double)
        let written = try await store.write(key: "out/r é 1.json", bytes: Array("{}".utf8), contentType: "application/json")
        #expect(written.key == "out/r é 1.json")
        #expect(written.etag?.hasPrefix("0x8D") == true)
        #expect(try await double.contents()["data"]?["out/r é 1.json"] == Array("{}".utf8))
        try await store.delete(key: "out/r é 1.json")
        #expect(try await double.contents()["data"]?.isEmpty == true)
        try await store.delete(key: "out/never-there.json")
    }

    @Test func aWrongAccountKeyIsAuthenticationFailed() async throws {
        let double = try await AzureBlobDouble.start(containers: ["data": Self.blobs])
        defer { double.stop() }
        let wrongKey = Data(repeating: 1, count: 64).base64EncodedString()
        let store = try Self.store(double, secrets: ["account_key": wrongKey])
        let error = try await #require(throws: ProviderError.self) { try await store.validate() }
        #expect(error.code == "AuthenticationFailed")
        #expect(error.subject == "azure-blob://data")
        #expect(error.description.contains("Server failed to authenticate the request"))
        #expect(!error.description.contains(wrongKey))
        let readError = try await #require(throws: ProviderError.self) { try await store.read(["in/1.json"]) }
        #expect(readError.subject == "azure-blob://data/in/1.json")
        #expect(readError.code == "AuthenticationFailed")
    }

    @Test func aMissingContainerIsContainerNotFound() async throws {
        let double = try await AzureBlobDouble.start(containers: ["data": Self.blobs])
        defer { double.stop() }
        let store = try Self.store(double, container: "missing")
        let error = try await #require(throws: ProviderError.self) { try await store.makeLister().next(maxCount: 10) }
        #expect(error.code == "ContainerNotFound")
        #expect(error.subject == "azure-blob://missing")
        let deleteError = try await #require(throws: ProviderError.self) { try await store.delete(key: "in/1.json") }
        #expect(deleteError.code == "ContainerNotFound")
    }

    @Test func aMissingBlobIsBlobNotFound() async throws {
        let double = try await AzureBlobDouble.start(containers: ["data": Self.blobs])
        defer { double.stop() }
        let error = try await #require(throws: ProviderError.self) { try await Self.store(double).read(["in/nope.json"]) }
        #expect(error.code == "BlobNotFound")
        #expect(error.subject == "azure-blob://data/in/nope.json")
    }

    @Test func aSASTokenAuthorizesEveryRequest() async throws {
        let token = "sv=2021-08-06&ss=b&srt=sco&sp=rl&se=2099-01-01T00%3A00%3A00Z&sig=dGVzdA%3D%3D"
        let double = try await AzureBlobDouble.start(sasToken: token, containers: ["data": Self.blobs])
        defer { double.stop() }
        let store = try Self.store(double, secrets: ["sas_token": "?" + token])
        #expect(try await store.validate() == "in/1.json")
        let error = try #require(throws: ProviderError.self) {
            try store.presignedURL(for: "in/1.json", expiresIn: .minutes(5), now: SystemTime.now())
        }
        #expect(error.message.contains("account_key"))
        let wrong = try Self.store(double, secrets: ["sas_token": "sv=2021-08-06&sig=d3Jvbmc%3D"])
        #expect(try await #require(throws: ProviderError.self) { try await wrong.validate() }.code == "AuthenticationFailed")
    }

    @Test func aPresignedURLReadsTheBlobAndNothingElse() async throws {
        let double = try await AzureBlobDouble.start(containers: ["data": Self.blobs])
        defer { double.stop() }
        let store = try Self.store(double)
        let url = try store.presignedURL(for: "in/été 2026/東京 + x.json", expiresIn: .minutes(10), now: SystemTime.now())
        #expect(url.hasPrefix(double.endpointURL + "/data/in/%C3%A9t%C3%A9%202026/"))
        #expect(url.contains("sp=r&spr=https%2Chttp&sv=2021-08-06&sr=b&sig="))
        let fetched = try await Self.get(url)
        #expect(fetched.status == 200)
        #expect(fetched.body == Self.blobs["in/été 2026/東京 + x.json"])
        let expired = try store.presignedURL(
            for: "in/1.json", expiresIn: .minutes(1), now: SystemTime.now() - .hours(1))
        #expect(try await Self.get(expired).status == 403)
        let elsewhere = url.replacingOccurrences(of: "/data/in/%C3%A9t%C3%A9%202026/%E6%9D%B1%E4%BA%AC%20%2B%20x.json", with: "/data/in/1.json")
        #expect(try await Self.get(elsewhere).status == 403)
    }

    @Test func blobURLsNameTheContainerAndTheBlob() async throws {
        let double = try await AzureBlobDouble.start(containers: ["data": [:]])
        defer { double.stop() }
        let store = try Self.store(double)
        #expect(store.blobURL(for: "in/a b.json") == "azure-blob://data/in/a b.json")
        #expect(store.key(forBlobURL: "azure-blob://data/in/a b.json") == "in/a b.json")
    }

    @Test func theRegistryOffersAzureBlob() {
        #expect(ProviderRegistry.standard(ProviderContext(localFilesRoot: nil)).providers.contains(.azureBlob))
    }

    @Test func missingCredentialsAreNamed() {
        let target = ProviderTarget(location: .azureBlob(AzureBlobLocation(container: "data", accountName: "acct")))
        let error = #expect(throws: ProviderError.self) {
            try AzureBlobObjectStore(target: target, context: ProviderContext(localFilesRoot: nil))
        }
        #expect(error?.message.contains("account_key or a sas_token") == true)
    }

    static func get(_ url: String) async throws -> (status: Int, body: [UInt8]) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), Array(body.readableBytesView))
    }
}
