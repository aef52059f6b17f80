import FerryCore
import Foundation
import Testing

@testable import FerryProviders

/// Ferry's Signature Version 4 against botocore: every vector in Vectors/s3-sigv4.json (made by
/// scripts/vectors/make-s3-sigv4-vectors.py) must come out byte for byte the same.
struct SigV4VectorTests {
    struct Document: Decodable {
        var botocore: String
        var vectors: [Vector]
    }

    struct Vector: Decodable, CustomTestStringConvertible {
        struct Request: Decodable {
            var method: String
            var bucket: String
            var key: String?
            var query: [[String]]?
            var headers: [String: String]?
            var body: String?
            var expiresIn: Int?
            var region: String
            var endpoint: String
            var pathStyle: Bool
            var accessKeyID: String
            var secretAccessKey: String
            var sessionToken: String?
            var unixSeconds: Int64
        }

        struct Expected: Decodable {
            var url: String
            var signedHeaders: [String: String]?
        }

        var name: String
        var kind: String
        var request: Request
        var expected: Expected

        var testDescription: String { name }
    }

    static let vectors: [Vector] = {
        guard let url = Bundle.module.url(forResource: "Vectors/s3-sigv4", withExtension: "json"),
            let data = try? Data(contentsOf: url),
            let document = try? JSONDecoder().decode(Document.self, from: data)
        else { return [] }
        return document.vectors
    }()

    @Test func theVectorsAreThere() {
        #expect(Self.vectors.count >= 10)
        #expect(Self.vectors.contains { $0.kind == "presigned" })
        #expect(Self.vectors.contains { $0.request.sessionToken != nil })
    }

    @Test(arguments: vectors.filter { $0.kind == "headers" })
    func signedHeadersMatchBotocore(_ vector: Vector) throws {
        let (endpoint, signer) = try Self.setUp(vector.request)
        let request = vector.request
        let path = endpoint.path(for: request.key)
        let query = (request.query ?? []).map { (name: $0[0], value: $0[1]) }
        let headers = (request.headers ?? [:]).sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }
        let signed = signer.signedHeaders(
            method: request.method, host: endpoint.host, path: path, query: query, headers: headers,
            payloadHash: SigV4Signer.payloadHash(Array((request.body ?? "").utf8)),
            now: .unixSeconds(request.unixSeconds))
        let sent = Dictionary(signed.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        for (name, value) in vector.expected.signedHeaders ?? [:] {
            #expect(sent[name] == value, "\(name)")
        }
        #expect(sent["x-amz-security-token"] == request.sessionToken)
        let url = endpoint.url(path: path, query: SigV4Signer.canonicalQuery(query))
        // The query's order is free (it is sorted when signed); everything else must be equal.
        #expect(Self.split(url).base == Self.split(vector.expected.url).base)
        #expect(Self.split(url).query == Self.split(vector.expected.url).query)
    }

    @Test(arguments: vectors.filter { $0.kind == "presigned" })
    func presignedURLsMatchBotocore(_ vector: Vector) throws {
        let request = vector.request
        let location = S3Location(
            bucket: request.bucket, region: request.region, endpointURL: request.endpoint,
            forcePathStyle: request.pathStyle)
        var secrets = ["access_key_id": request.accessKeyID, "secret_access_key": request.secretAccessKey]
        secrets["session_token"] = request.sessionToken
        let store = try S3ObjectStore(
            target: ProviderTarget(location: .s3(location), secrets: StorageSecrets(secrets)),
            context: ProviderContext(localFilesRoot: nil))
        let url = store.presignedURL(
            for: try #require(request.key), expiresIn: try #require(request.expiresIn),
            now: .unixSeconds(request.unixSeconds))
        #expect(url == vector.expected.url)
    }

    @Test func theSigningTimeIsTheWholeSecondInUTC() {
        #expect(SigV4Signer.amzDate(FerryTime(unixMicroseconds: 1_777_638_896_999_999)) == "20260501T123456Z")
        #expect(SigV4Signer.amzDate(.unixSeconds(0)) == "19700101T000000Z")
    }

    @Test func keysAreEncodedOncePerSegmentAndQueryValuesWhole() {
        #expect(URIEncoding.path("a b/c+d~e/é%.json") == "a%20b/c%2Bd~e/%C3%A9%25.json")
        #expect(URIEncoding.queryComponent("a/b c+d=") == "a%2Fb%20c%2Bd%3D")
        #expect(SigV4Signer.canonicalQuery([("b", "2"), ("a", "z"), ("a", "y"), ("list-type", "2")]) == "a=y&a=z&b=2&list-type=2")
    }

    private static func setUp(_ request: Vector.Request) throws -> (S3Endpoint, SigV4Signer) {
        let endpoint = try S3Endpoint(
            S3Location(bucket: request.bucket, region: request.region, endpointURL: request.endpoint, forcePathStyle: request.pathStyle))
        let credentials = S3Credentials(
            accessKeyID: request.accessKeyID, secretAccessKey: request.secretAccessKey, sessionToken: request.sessionToken)
        return (endpoint, SigV4Signer(credentials: credentials, region: endpoint.region))
    }

    private static func split(_ url: String) -> (base: String, query: [String]) {
        guard let mark = url.firstIndex(of: "?") else { return (url, []) }
        return (String(url[..<mark]), url[url.index(after: mark)...].split(separator: "&").map(String.init).sorted())
    }
}
