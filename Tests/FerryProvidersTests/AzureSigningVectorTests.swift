import FerryCore
import Foundation
import Testing

@testable import FerryProviders

/// Ferry's Shared Key and service SAS against azure-storage-blob: every vector in
/// Vectors/azure-blob.json (made by scripts/vectors/make-azure-vectors.py) must come out byte for
/// byte the same.
struct AzureSigningVectorTests {
    struct Document: Decodable {
        var generator: String
        var accountKey: String
        var sharedKey: [SharedKeyVector]
        var serviceSAS: [SASVector]
    }

    struct SharedKeyVector: Decodable, CustomTestStringConvertible {
        struct Request: Decodable {
            var account: String
            var method: String
            var endpoint: String
            var container: String
            var blob: String?
            var query: [[String]]
            var headers: [String: String]
            var xMsDate: String
            var xMsVersion: String
        }

        struct Expected: Decodable {
            var url: String
            var stringToSign: String
            var authorization: String
        }

        var name: String
        var request: Request
        var expected: Expected
        var testDescription: String { name }
    }

    struct SASVector: Decodable, CustomTestStringConvertible {
        struct Request: Decodable {
            var account: String
            var container: String
            var blob: String
            var start: String
            var expiry: String
            var `protocol`: String
            var version: String
        }

        struct Expected: Decodable {
            var token: String
            var stringToSign: String
        }

        var name: String
        var request: Request
        var expected: Expected
        var testDescription: String { name }
    }

    static let document: Document? = {
        guard let url = Bundle.module.url(forResource: "Vectors/azure-blob", withExtension: "json"),
            let data = try? Data(contentsOf: url)
        else { return nil }
        return try? JSONDecoder().decode(Document.self, from: data)
    }()

    static func signer(account: String) throws -> AzureSharedKeySigner {
        try AzureSharedKeySigner(accountName: account, base64Key: document?.accountKey ?? "", subject: "vectors")
    }

    @Test func theVectorsAreThere() {
        #expect(Self.document?.sharedKey.count ?? 0 >= 6)
        #expect(Self.document?.serviceSAS.count ?? 0 >= 3)
        #expect(Self.document?.sharedKey.contains { $0.request.method == "PUT" } == true)
    }

    @Test(arguments: document?.sharedKey ?? [])
    func sharedKeyMatchesTheSDK(_ vector: SharedKeyVector) throws {
        let request = vector.request
        let endpoint = try AzureBlobEndpoint(
            AzureBlobLocation(
                container: request.container, accountName: request.account,
                endpointURL: request.endpoint == "https://\(request.account).blob.core.windows.net" ? "" : request.endpoint))
        let path = endpoint.path(for: request.blob)
        let query = request.query.map { (name: $0[0], value: $0[1]) }
        // The SDK adds query values to the URL unencoded at this stage: only the path is comparable.
        let url = endpoint.url(path: path, query: query)
        #expect(url.prefix { $0 != "?" } == vector.expected.url.prefix { $0 != "?" })
        let headers = request.headers.map { (name: $0.key, value: $0.value) }
            + [("x-ms-date", request.xMsDate), ("x-ms-version", request.xMsVersion)]
        let signer = try Self.signer(account: request.account)
        #expect(signer.stringToSign(method: request.method, path: path, query: query, headers: headers) == vector.expected.stringToSign)
        #expect(signer.authorization(method: request.method, path: path, query: query, headers: headers) == vector.expected.authorization)
    }

    @Test(arguments: document?.serviceSAS ?? [])
    func serviceSASMatchesTheSDK(_ vector: SASVector) throws {
        let request = vector.request
        let protocols = try #require(AzureSharedKeySigner.SASProtocols(rawValue: request.protocol))
        let signer = try Self.signer(account: request.account)
        let token = signer.serviceSAS(
            container: request.container, blob: request.blob, start: try #require(Self.time(request.start)),
            expiry: try #require(Self.time(request.expiry)), protocols: protocols, version: request.version)
        #expect(token == vector.expected.token)
        #expect(
            signer.serviceSASStringToSign(
                container: request.container, blob: request.blob, start: request.start, expiry: request.expiry,
                protocols: protocols, version: request.version) == vector.expected.stringToSign)
    }

    @Test func aKeyThatIsNotBase64IsRefusedByName() {
        #expect(throws: ProviderError.self) {
            try AzureSharedKeySigner(accountName: "a", base64Key: "not base64!", subject: "azure-blob://data")
        }
    }

    @Test func xMsDateIsRFC1123() {
        #expect(AzureHTTPDate.string(.unixSeconds(1_780_315_200)) == "Mon, 01 Jun 2026 12:00:00 GMT")
        #expect(AzureHTTPDate.parse("Mon, 01 Jun 2026 12:00:00 GMT") == .unixSeconds(1_780_315_200))
    }

    static func time(_ iso: String) -> FerryTime? {
        let formatter = ISO8601DateFormatter()
        return formatter.date(from: iso).map { FerryTime.unixSeconds(Int64($0.timeIntervalSince1970)) }
    }
}
