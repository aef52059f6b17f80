import FerryCore
import FerryRPC
import FerryStore

extension StorageService {
    /// Refuses an export storage that would write where an import storage of its project scans,
    /// and an import storage that would scan where an export storage of its project writes
    /// (``ExportOverlap``), naming the other storage.
    ///
    /// - Parameters:
    ///   - kind: The storage's kind.
    ///   - settings: Its settings as they would be saved.
    ///   - id: Its id when it is being updated, so it is not compared with itself.
    /// - Throws: `FAILED_PRECONDITION` naming the storage it overlaps.
    func checkExportOverlap(kind: StorageKind, settings: StorageSettings, id: Int64? = nil) async throws {
        switch kind {
        case .export:
            let imports = try await projectStorages(settings.projectID, kind: .import, provider: settings.provider, except: id)
            guard let conflict = ExportOverlap.conflictingImport(export: settings, imports: imports.map { ($0.id, $0.settings) })
            else { return }
            let other = imports.first { $0.id == conflict }
            throw RPCError(
                code: .failedPrecondition,
                message: "prefix: this export would write into the scan of import storage \(conflict) "
                    + "('\(other?.settings.title ?? "")', prefix '\(other?.settings.prefix ?? "")'), which would import "
                    + "the exported annotations as tasks; choose a prefix or location outside it")
        case .import:
            let exports = try await projectStorages(settings.projectID, kind: .export, provider: settings.provider, except: id)
            guard let other = exports.first(where: {
                ExportOverlap.conflictingImport(export: $0.settings, imports: [(id ?? 0, settings)]) != nil
            }) else { return }
            throw RPCError(
                code: .failedPrecondition,
                message: "prefix: this import would scan where export storage \(other.id) ('\(other.settings.title)', "
                    + "prefix '\(other.settings.prefix)') writes, and import the exported annotations as tasks; "
                    + "choose a prefix or location outside it")
        case .dataset:
            return
        }
    }

    /// Every storage of a project with a kind and provider, but `except`.
    private func projectStorages(_ projectID: Int64, kind: StorageKind, provider: StorageProvider, except: Int64?)
        async throws -> [Storage]
    {
        var found: [Storage] = []
        var query = StorageQuery(
            projectID: projectID, kinds: [kind], providers: [provider], pageSize: StorageQuery.maxPageSize)
        while true {
            let page = try await store.listStorages(query)
            found += page.storages.filter { $0.id != except }
            guard let next = page.nextCursor else { return found }
            query.cursor = next
        }
    }
}
