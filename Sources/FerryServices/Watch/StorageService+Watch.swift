import FerryCore
import FerryMapping
import FerryProto
import FerryRPC
import FerryStore

extension StorageService {
    /// Every how many ping intervals a watch reads all it follows again, for changes other server
    /// replicas made that no announcement names (a storage created or updated there).
    static let watchFullReadEvery = 12

    /// WatchStorages: the matching storages as they stand, then their changes until the call
    /// ends. Touches from this process's writes (``StorageWatchHub``) wake it at once; once per
    /// ping interval it reads its active storages again for progress. Verdicts come from the
    /// server's termination sweep, which writes them and so touches the storage.
    @Sendable
    func watchStorages(
        _ request: FerryV1.WatchStoragesRequest,
        _ writer: RPCWriter<FerryV1.WatchStoragesResponse>,
        _ context: ServerContext
    ) async throws -> Metadata {
        let filter = try Self.watchFilter(request)
        guard let inbox = watchHub.open() else {
            throw RPCError(code: .unavailable, message: "The server is shutting down; watch again on another replica")
        }
        defer { watchHub.release(inbox) }
        var ledger = StorageWatchLedger()
        let clock = ContinuousClock()
        let opened = clock.now
        try await RPCError.translatingStoreErrors {
            for storage in try await currentStorages(filter) {
                ledger.tellCurrent(storage)
                try await writer.write(FerryV1.WatchStoragesResponse(type: .current, storage: wire(storage), storageID: storage.id))
            }
        }
        try await writer.write(FerryV1.WatchStoragesResponse(type: .caughtUp))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { [watchInterval] in
                // Bounded by cancellation: the call's end cancels the group.
                while true {
                    try await Task.sleep(for: watchInterval)
                    inbox.postTick()
                }
            }
            var ticks = 0
            for await _ in inbox.wakeups {
                var work = inbox.take()
                if work.tick {
                    ticks += 1
                    if ticks % Self.watchFullReadEvery == 0 { work.everything = true }
                }
                let events = try await RPCError.translatingStoreErrors {
                    try await watchEvents(work, filter: filter, ledger: &ledger, at: clock.now - opened)
                }
                for event in events {
                    try await writer.write(wire(event))
                }
            }
            group.cancelAll()
        }
        try Task.checkCancellation()
        throw RPCError(code: .unavailable, message: "The server is shutting down; watch again on another replica")
    }

    static func watchFilter(_ request: FerryV1.WatchStoragesRequest) throws -> StorageWatchFilter {
        guard request.projectID >= 0 else {
            throw RPCError(code: .invalidArgument, message: "project_id: must not be negative")
        }
        guard request.storageIDs.allSatisfy({ $0 > 0 }) else {
            throw RPCError(code: .invalidArgument, message: "storage_ids: every id must be positive")
        }
        guard request.storageIDs.count <= StorageWatchFilter.maxStorageIDs else {
            throw RPCError(
                code: .invalidArgument,
                message: "storage_ids: at most \(StorageWatchFilter.maxStorageIDs) per watch")
        }
        return StorageWatchFilter(
            projectID: request.projectID == 0 ? nil : request.projectID,
            kinds: Set(request.kinds.compactMap(StorageKind.init)),
            providers: Set(request.providers.compactMap(StorageProvider.init)),
            storageIDs: Set(request.storageIDs))
    }

    /// The followed storages as they stand, after termination detection, in id order. A named id
    /// that does not exist fails the call (NOT_FOUND).
    private func currentStorages(_ filter: StorageWatchFilter) async throws -> [Storage] {
        if !filter.storageIDs.isEmpty {
            var storages: [Storage] = []
            for id in filter.storageIDs.sorted() {
                let storage = try await enforcer.storage(id: id)
                if filter.matches(storage) { storages.append(storage) }
            }
            return storages
        }
        try await enforcer.enforceActive(like: filter.query())
        return try await matchingStorages(filter)
    }

    /// The followed storages as stored (in these statuses; all for none), every page.
    private func matchingStorages(_ filter: StorageWatchFilter, statuses: Set<SyncStatus> = []) async throws
        -> [Storage]
    {
        var query = filter.query(statuses: statuses)
        var storages: [Storage] = []
        // Bounded: each page advances the cursor and the store has finitely many storages.
        repeat {
            let page = try await store.listStorages(query)
            storages.append(contentsOf: page.storages.filter(filter.matches))
            query.cursor = page.nextCursor
        } while query.cursor != nil
        return storages
    }

    /// Reads what `work` names and returns what to tell, in id order.
    private func watchEvents(
        _ work: WatchInbox.Work, filter: StorageWatchFilter, ledger: inout StorageWatchLedger, at now: Duration
    ) async throws -> [StorageWatchLedger.Event] {
        var ids = work.storageIDs.union(work.jobIDs.compactMap(ledger.storageID(ofJob:)))
        var read: [Int64: Storage] = [:]
        if !filter.storageIDs.isEmpty {
            // Named storages are read one by one, never by listing the whole store.
            if work.everything { ids.formUnion(filter.storageIDs) }
            if work.tick { ids.formUnion(ledger.activeIDs) }
            ids.formIntersection(filter.storageIDs)
        } else if work.everything || work.tick {
            // One listing: all followed storages, or the active ones on a tick.
            let listed = try await matchingStorages(filter, statuses: work.everything ? [] : [.queued, .inProgress])
            for storage in listed { read[storage.id] = storage }
            // Told (active) but not listed now: read one by one (settled, or gone).
            ids.formUnion(work.everything ? Set(ledger.told.keys) : ledger.activeIDs)
            ids.subtract(read.keys)
        }
        var gone: [Int64] = []
        for id in ids.sorted() {
            do {
                let storage = try await store.storage(id: id)
                if filter.matches(storage) { read[id] = storage }
            } catch let error as StoreError where error.code == .notFound {
                gone.append(id)
            }
        }
        var events: [StorageWatchLedger.Event] = []
        for (_, storage) in read.sorted(by: { $0.key < $1.key }) {
            if let event = ledger.observe(storage, at: now, progressEvery: watchInterval) { events.append(event) }
        }
        events.append(contentsOf: gone.compactMap { ledger.observeGone($0) })
        return events
    }

    private func wire(_ event: StorageWatchLedger.Event) -> FerryV1.WatchStoragesResponse {
        switch event {
        case .changed(let storage):
            FerryV1.WatchStoragesResponse(type: .changed, storage: wire(storage), storageID: storage.id)
        case .progress(let storage):
            FerryV1.WatchStoragesResponse(type: .progress, storage: wire(storage), storageID: storage.id)
        case .deleted(let id):
            FerryV1.WatchStoragesResponse(type: .deleted, storageID: id)
        }
    }
}
