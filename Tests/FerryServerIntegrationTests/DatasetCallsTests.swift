import FerryProviders
import FerryProto
import FerryRPC
import FerryTestSupport
import FerryWorker
import Foundation
import Testing

/// The dataset calls over real TLS against an in-process server: a listing that fails midway
/// marks nothing deleted, bad input is refused with a clear status, a settled lease writes
/// nothing, and who may read a catalogue.
@Suite(.timeLimit(.minutes(3)))
struct DatasetCallsTests {
    /// A local dataset storage over `path` with `files` one-line files in it.
    static func datasetStorage(_ server: FerryTestServer, path: String, files: Int) async throws -> Int64 {
        let directory = server.localFilesRoot + "/" + path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for index in 0..<files {
            try Data("object \(index)".utf8).write(to: URL(fileURLWithPath: directory + "/o\(index).txt"))
        }
        return try await server.withClient(.admin) { admin in
            try #require(
                try await admin.createStorage(
                    FerryV1.CreateStorageRequest(
                        spec: FerryV1.StorageSpec(
                            projectID: 5, title: path, kind: .dataset, provider: .local, synchronizable: true,
                            local: FerryV1.LocalLocation(path: path)))
                ).storage
            ).id
        }
    }

    static func localStores(_ server: FerryTestServer) -> @Sendable (FerryV1.Job) throws -> any ObjectStore {
        JobStores(registry: .standard(ProviderContext(localFilesRoot: server.localFilesRoot))).store(for:)
    }

    @Test func aListingThatFailsMidwayMarksNothingDeleted() async throws {
        try await FerryTestServer.with { server in
            let storage = try await Self.datasetStorage(server, path: "set", files: 30)
            let first = try await server.startAndClaim(storage, instance: "ds-1")
            try await server.runJob(first, instance: "ds-1", stores: Self.localStores(server))
            let catalogued = try await server.withClient(.admin) { try await $0.datasetObjects(storage) }
            #expect(catalogued.count == 30)

            for index in 0..<5 { try FileManager.default.removeItem(atPath: server.localFilesRoot + "/set/o\(index).txt") }
            let second = try await server.startAndClaim(storage, instance: "ds-2")
            let local = try Self.localStores(server)(second)
            try await server.runJob(second, instance: "ds-2", stores: { _ in FailingListing(store: local, pagesBeforeFailing: 1) })

            let failed = try await server.withClient(.admin) { try await $0.listed(storage) }
            #expect(failed.sync?.status == .failed)
            #expect(failed.sync?.traceback.contains("listing broke") == true, "\(failed.sync?.traceback ?? "")")
            let after = try await server.withClient(.admin) { try await $0.datasetObjects(storage, includeDeleted: true) }
            #expect(after.count == 30)
            #expect(after.allSatisfy { $0.deletedUnixMicros == 0 }, "a failed listing marks nothing deleted")
        }
    }

    @Test func badInputAndSettledLeasesAreRefused() async throws {
        try await FerryTestServer.with { server in
            let storage = try await Self.datasetStorage(server, path: "calls", files: 0)
            let job = try await server.startAndClaim(storage, instance: "ds-3")
            let lease = FerryV1.JobLease(jobID: job.id, leaseToken: job.leaseToken, instanceID: "ds-3")
            try await server.withClient(.worker) { worker in
                let negative = await Self.error {
                    let _: FerryV1.UpsertDatasetObjectsResponse = try await worker.unary(
                        FerryClient.Worker.upsertDatasetObjects,
                        FerryV1.UpsertDatasetObjectsRequest(
                            lease: lease, objects: [FerryV1.DatasetObject(key: "a", size: -1)]))
                }
                #expect(negative?.code == .invalidArgument)
                #expect(negative?.message.contains("objects[0].size") == true, "\(String(describing: negative))")
                let noLease = await Self.error {
                    let _: FerryV1.CompleteDatasetScanResponse = try await worker.unary(
                        FerryClient.Worker.completeDatasetScan, FerryV1.CompleteDatasetScanRequest(listingComplete: true))
                }
                #expect(noLease?.code == .invalidArgument)

                let reply: FerryV1.UpsertDatasetObjectsResponse = try await worker.unary(
                    FerryClient.Worker.upsertDatasetObjects,
                    FerryV1.UpsertDatasetObjectsRequest(
                        lease: lease, objects: [FerryV1.DatasetObject(key: "a", size: 1, etag: "x")]))
                #expect(reply.inserted == 1)
                _ = try await worker.heartbeat { try await $0.finish(lease, result: .completed) }

                let zombie = await Self.error {
                    let _: FerryV1.UpsertDatasetObjectsResponse = try await worker.unary(
                        FerryClient.Worker.upsertDatasetObjects,
                        FerryV1.UpsertDatasetObjectsRequest(
                            lease: lease, objects: [FerryV1.DatasetObject(key: "b", size: 1, etag: "y")]))
                }
                #expect(zombie?.isLeaseRejection == true, "\(String(describing: zombie))")
            }
            let keys = try await server.withClient(.reader) { try await $0.datasetObjects(storage) }.map { $0.object?.key }
            #expect(keys == ["a"])
        }
    }

    @Test func readersListCataloguesAndBadRequestsAreNamed() async throws {
        try await FerryTestServer.with { server in
            let storage = try await Self.datasetStorage(server, path: "read", files: 3)
            let job = try await server.startAndClaim(storage, instance: "ds-4")
            try await server.runJob(job, instance: "ds-4", stores: Self.localStores(server))
            let imports = try await server.localImportStorage(path: "imports")

            try await server.withClient(.reader) { reader in
                let first: FerryV1.ListDatasetObjectsResponse = try await reader.unary(
                    FerryClient.Storage.listDatasetObjects, FerryV1.ListDatasetObjectsRequest(storageID: storage, pageSize: 2))
                #expect(first.objects.map { $0.object?.key } == ["o0.txt", "o1.txt"])
                let rest: FerryV1.ListDatasetObjectsResponse = try await reader.unary(
                    FerryClient.Storage.listDatasetObjects,
                    FerryV1.ListDatasetObjectsRequest(storageID: storage, pageSize: 2, pageToken: first.nextPageToken))
                #expect(rest.objects.map { $0.object?.key } == ["o2.txt"])
                #expect(rest.nextPageToken.isEmpty)

                for (request, field) in [
                    (FerryV1.ListDatasetObjectsRequest(storageID: storage, pageToken: "s1.5"), "page_token"),
                    (FerryV1.ListDatasetObjectsRequest(), "storage_id"),
                    (FerryV1.ListDatasetObjectsRequest(storageID: imports), "not a dataset storage"),
                ] {
                    let refused = await Self.error {
                        let _: FerryV1.ListDatasetObjectsResponse = try await reader.unary(
                            FerryClient.Storage.listDatasetObjects, request)
                    }
                    #expect(refused?.code == .invalidArgument)
                    #expect(refused?.message.contains(field) == true, "\(String(describing: refused))")
                }
                let missing = await Self.error {
                    let _: FerryV1.ListDatasetObjectsResponse = try await reader.unary(
                        FerryClient.Storage.listDatasetObjects, FerryV1.ListDatasetObjectsRequest(storageID: 999))
                }
                #expect(missing?.code == .notFound)
            }
            let denied = await Self.error {
                _ = try await server.withClient(.worker) { try await $0.datasetObjects(storage) }
            }
            #expect(denied?.code == .permissionDenied)
        }
    }

    static func error(_ body: () async throws -> Void) async -> RPCError? {
        do {
            try await body()
            return nil
        } catch {
            return error as? RPCError
        }
    }
}

/// A store whose metadata listing hands out some pages, then fails as a provider would.
private struct FailingListing: ObjectStore {
    let store: any ObjectStore
    let pagesBeforeFailing: Int

    func makeLister() throws -> any ObjectLister { try makeMetadataLister() }
    func makeMetadataLister() throws -> any ObjectLister {
        Lister(inner: try store.makeMetadataLister(), remaining: pagesBeforeFailing)
    }
    func read(_ keys: [String]) async throws -> [LoadedObject] { try await store.read(keys) }
    func write(key: String, bytes: [UInt8], contentType: String) async throws -> WrittenObject {
        try await store.write(key: key, bytes: bytes, contentType: contentType)
    }
    func delete(key: String) async throws { try await store.delete(key: key) }
    func blobURL(for key: String) -> String { store.blobURL(for: key) }

    final class Lister: ObjectLister, @unchecked Sendable {
        let inner: any ObjectLister
        var remaining: Int
        init(inner: any ObjectLister, remaining: Int) {
            self.inner = inner
            self.remaining = remaining
        }
        func next(maxCount: Int) async throws -> [ListedObject]? {
            guard remaining > 0 else { throw ProviderError(subject: "set", message: "listing broke") }
            remaining -= 1
            return try await inner.next(maxCount: 10)
        }
    }
}
