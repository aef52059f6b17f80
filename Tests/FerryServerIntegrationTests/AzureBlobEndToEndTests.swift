import FerryProto
import FerryRPC
import FerryTestSupport
import Foundation
import Testing

/// Import from Azure Blob Storage end to end: real `ferryd` and `ferry-worker` processes over
/// mTLS, and a local double of the Blob service (``AzureBlobDouble``) that checks every
/// request's Shared Key signature with the official SDK's code, reached through an
/// Azurite-style endpoint.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct AzureBlobEndToEndTests {
    static let container = "ferry-import"

    @Test func anAzureStorageImportsEveryTaskOnceAndAReSyncCreatesNone() async throws {
        let double = try await Self.double()
        defer { double.stop() }
        let world = try await World(staleAfterSeconds: 10, batchSize: 100)
        defer { world.cleanUp() }
        let storage = try await Self.storage(in: world, double: double, accountKey: double.accountKey)
        try world.worker.start()

        try await CloudImportFixture.expectFirstSyncImportsEveryTask(world, storage)
        try await world.expectTasks(9)
    }

    @Test func aWrongAccountKeyFailsTheSyncNamingTheStorageAndAuthenticationFailed() async throws {
        let double = try await Self.double()
        defer { double.stop() }
        let world = try await World(staleAfterSeconds: 10, batchSize: 100)
        defer { world.cleanUp() }
        let wrongKey = Data(repeating: 7, count: 64).base64EncodedString()
        let storage = try await Self.storage(in: world, double: double, accountKey: wrongKey)
        try world.worker.start()

        try await CloudImportFixture.expectSyncRefused(
            world, storage, subject: "azure-blob://\(Self.container)", code: "AuthenticationFailed",
            secrets: [wrongKey, double.accountKey])
    }

    /// A double whose container holds ``CloudImportFixture/objects``.
    static func double() async throws -> AzureBlobDouble {
        let blobs = Dictionary(CloudImportFixture.objects.map { ($0.key, $0.bytes) }, uniquingKeysWith: { $1 })
        return try await AzureBlobDouble.start(containers: [container: blobs])
    }

    /// A recursive import storage over the fixture's prefix and filter in the container.
    static func storage(in world: World, double: AzureBlobDouble, accountKey: String) async throws -> Int64 {
        let request = FerryV1.CreateStorageRequest(
            spec: FerryV1.StorageSpec(
                projectID: World.projectID, title: "azure e2e", kind: .import, provider: .azureBlob,
                prefix: CloudImportFixture.prefix, regexFilter: CloudImportFixture.regexFilter, recursiveScan: true,
                synchronizable: true,
                azureBlob: FerryV1.AzureBlobLocation(
                    container: container, accountName: double.account, endpointURL: double.endpointURL)),
            credentials: [FerryV1.Secret(name: "account_key", value: accountKey)])
        return try await world.admin { try #require(try await $0.createStorage(request).storage).id }
    }
}
