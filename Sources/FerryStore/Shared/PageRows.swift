import FerryCore

extension StoragePage {
    /// A page from the rows of a ListStorages query (storage columns and, for active storages,
    /// the job observation columns), fetched with one row more than `pageSize` to tell whether
    /// another page follows.
    init(rows: [some StoredRow], pageSize: Int, totalCount: Int64) throws {
        var storages: [Storage] = []
        var observations: [Int64: JobObservation] = [:]
        storages.reserveCapacity(min(rows.count, pageSize))
        for row in rows.prefix(pageSize) {
            let storage = try StorageColumns.storage(from: row)
            storages.append(storage)
            if storage.syncInfo.status.isActive {
                observations[storage.id] = try JobColumns.observation(from: row)
            }
        }
        self.init(
            storages: storages,
            jobObservations: observations,
            totalCount: totalCount,
            nextCursor: rows.count > pageSize ? storages.last.map { StorageCursor(afterID: $0.id) } : nil
        )
    }
}

extension DatasetObjectPage {
    /// A page from the rows of a catalogue query, fetched with one row more than `limit` to tell
    /// whether another page follows.
    init(rows: [some StoredRow], limit: Int) throws {
        let objects = try rows.prefix(limit).map { row in
            CataloguedObject(
                metadata: DatasetObjectMetadata(
                    key: try row.string("key"),
                    size: try row.int64("size"),
                    etag: try row.string("etag"),
                    lastModified: try row.optionalTime("last_modified"),
                    contentType: try row.optionalString("content_type")
                ),
                firstSeenAt: try row.time("first_seen_at"),
                updatedAt: try row.time("updated_at"),
                deletedAt: try row.optionalTime("deleted_at")
            )
        }
        self.init(objects: objects, nextAfterKey: rows.count > limit ? objects.last?.metadata.key : nil)
    }
}
