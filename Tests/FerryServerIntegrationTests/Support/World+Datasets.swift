import FerryProto
import Foundation
import Testing

extension FerryClient {
    /// Every catalogue entry of a dataset storage, all pages.
    func datasetObjects(_ storage: Int64, includeDeleted: Bool = false, prefix: String = "") async throws
        -> [FerryV1.CataloguedObject]
    {
        var objects: [FerryV1.CataloguedObject] = []
        var token = ""
        repeat {
            let page = try await unary(
                Storage.listDatasetObjects,
                FerryV1.ListDatasetObjectsRequest(
                    storageID: storage, prefix: prefix, includeDeleted: includeDeleted, pageSize: 5_000,
                    pageToken: token),
                as: FerryV1.ListDatasetObjectsResponse.self)
            objects += page.objects
            token = page.nextPageToken
        } while !token.isEmpty
        return objects
    }
}

extension World {
    /// The catalogue of a dataset storage: every entry, tombstones included, by key.
    func catalogue(_ storage: Int64) async throws -> [String: FerryV1.CataloguedObject] {
        let entries = try await admin { try await $0.datasetObjects(storage, includeDeleted: true) }
        return Dictionary(uniqueKeysWithValues: entries.map { ($0.object?.key ?? "", $0) })
    }

    /// The path under the local-files root of the `index`th file ``storage(files:path:kind:regexFilter:useBlobURLs:extra:)`` wrote.
    func filePath(_ index: Int, path: String = "data") -> String {
        daemon.localFilesRoot + "/" + path + "/" + Self.fileKey(index)
    }

    /// The key of the `index`th file, relative to the storage's directory.
    static func fileKey(_ index: Int) -> String {
        "nested/d\(index % 20)/t\(index).json"
    }
}
