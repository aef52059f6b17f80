import FerryCore
import FerryMapping
import FerryProto

extension StorageService {
    /// The wire form of a storage as clients see it: ``Storage/proto`` plus, for a queued sync,
    /// why it waits when no connected worker offers its kind and provider.
    func wire(_ storage: Storage) -> FerryV1.Storage {
        var message = storage.proto
        message.sync = wire(storage.syncInfo, of: storage)
        return message
    }

    /// The wire form of a storage's sync state, with its waiting reason.
    func wire(_ sync: SyncInfo, of storage: Storage) -> FerryV1.SyncInfo {
        var message = sync.proto
        if sync.status == .queued {
            message.waitingReason = workers.waitingReason(kind: storage.kind, provider: storage.settings.provider) ?? ""
        }
        return message
    }
}
