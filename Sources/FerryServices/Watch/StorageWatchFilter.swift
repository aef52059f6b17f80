import FerryCore
import FerryStore

/// Which storages one WatchStorages call follows. The fields it filters on (project, kind,
/// provider, id) never change after a storage is created, so a storage that matches once
/// matches for its whole life.
struct StorageWatchFilter: Sendable, Equatable {
    /// The most storage ids one call may name.
    static let maxStorageIDs = 1_000

    var projectID: Int64?
    var kinds: Set<StorageKind> = []
    var providers: Set<StorageProvider> = []
    /// Only these storages; empty for any.
    var storageIDs: Set<Int64> = []

    /// Whether the call follows this storage.
    func matches(_ storage: Storage) -> Bool {
        (projectID.map { $0 == storage.settings.projectID } ?? true)
            && (kinds.isEmpty || kinds.contains(storage.kind))
            && (providers.isEmpty || providers.contains(storage.settings.provider))
            && (storageIDs.isEmpty || storageIDs.contains(storage.id))
    }

    /// The first page of a listing of the followed storages in these statuses (all for none);
    /// named ids are checked by ``matches(_:)`` afterwards.
    func query(statuses: Set<SyncStatus> = []) -> StorageQuery {
        StorageQuery(
            projectID: projectID, kinds: kinds, providers: providers, statuses: statuses,
            pageSize: StorageQuery.maxPageSize)
    }
}
