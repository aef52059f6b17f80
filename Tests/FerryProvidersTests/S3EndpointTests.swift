import AsyncHTTPClient
import FerryCore
import FerryTestSupport
import NIOCore
import Testing

@testable import FerryProviders

/// Where S3 requests go, and what happens when nothing answers there.
struct S3EndpointTests {
    @Test func awsIsVirtualHostedInTheRegionWithUSEast1ByDefault() throws {
        let endpoint = try S3Endpoint(S3Location(bucket: "ferry-data"))
        #expect(endpoint.url(path: endpoint.path(for: "a b.json"), query: "") == "https://ferry-data.s3.us-east-1.amazonaws.com/a%20b.json")
        let pathStyle = try S3Endpoint(S3Location(bucket: "ferry-data", region: "eu-west-1", forcePathStyle: true))
        #expect(pathStyle.url(path: pathStyle.path(for: nil), query: "") == "https://s3.eu-west-1.amazonaws.com/ferry-data")
    }

    @Test func bucketsThatCannotBeHostNamesAndIPEndpointsUsePathStyle() throws {
        let dotted = try S3Endpoint(S3Location(bucket: "my.bucket"))
        #expect(dotted.host == "s3.us-east-1.amazonaws.com" && dotted.basePath == "/my.bucket")
        let ip = try S3Endpoint(S3Location(bucket: "ferry-data", endpointURL: "http://10.0.0.5:9000"))
        #expect(ip.url(path: ip.path(for: "k"), query: "") == "http://10.0.0.5:9000/ferry-data/k")
    }

    @Test func aCustomEndpointKeepsItsPortAndBasePathAndDropsADefaultPort() throws {
        let based = try S3Endpoint(S3Location(bucket: "b-1", endpointURL: "https://gateway.example:8443/s3/", forcePathStyle: true))
        #expect(based.url(path: based.path(for: "x/y"), query: "") == "https://gateway.example:8443/s3/b-1/x/y")
        let defaultPort = try S3Endpoint(S3Location(bucket: "b-1", endpointURL: "https://minio.example:443"))
        #expect(defaultPort.host == "b-1.minio.example")
        #expect(throws: ProviderError.self) { try S3Endpoint(S3Location(bucket: "b", endpointURL: "ftp://x")) }
    }

    @Test func missingCredentialsAreRefusedNamingTheBucket() {
        let error = #expect(throws: ProviderError.self) {
            try S3ObjectStore(
                target: ProviderTarget(location: .s3(S3Location(bucket: "ferry-data")), secrets: StorageSecrets(["access_key_id": "AKID"])),
                context: ProviderContext(localFilesRoot: nil))
        }
        #expect(error?.subject == "s3://ferry-data")
        #expect(error?.message.contains("secret_access_key") == true)
    }

    /// The HTTP client retries a refused connection until its connect timeout (10 s in the
    /// shared client), so this test uses its own client with a short one.
    @Test func anEndpointNobodyListensOnFailsAfterTheRetriesNamingObjectAndEndpoint() async throws {
        try await RefusingPort.with { ports in
            let http = HTTPClient(configuration: .init(timeout: .init(connect: .milliseconds(300))))
            let location = S3Location(bucket: "ferry-data", endpointURL: "http://127.0.0.1:\(ports[0])", forcePathStyle: true)
            let store = try S3ObjectStore(
                target: ProviderTarget(
                    location: .s3(location), secrets: StorageSecrets(["access_key_id": "AKID", "secret_access_key": "secret"])),
                context: ProviderContext(localFilesRoot: nil),
                transport: ProviderTransport(http: http, retry: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(5))))
            let error = await #expect(throws: ProviderError.self) { _ = try await store.read(["a/b.json"]) }
            try await http.shutdown()
            #expect(error?.subject == "s3://ferry-data/a/b.json")
            #expect(error?.message.contains("cannot reach http://127.0.0.1:\(ports[0])") == true, "\(String(describing: error))")
            #expect(error?.description.contains("secret") == false)
        }
    }
}
