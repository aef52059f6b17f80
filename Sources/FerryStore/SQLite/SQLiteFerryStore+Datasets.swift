public import FerryCore
import SQLiteNIO

extension SQLiteFerryStore {
    /// A fenced dataset batch; see ``FerryStore/upsertDatasetObjects(lease:objects:checkpoint:now:)``.
    ///
    /// The batch is classified against the catalogue with one query, then written with two
    /// statements: an upsert of the new, changed and revived objects, and a `last_seen_job`
    /// update of the unchanged ones.
    ///
    /// - Parameters:
    ///   - lease: The dataset job's lease.
    ///   - objects: The objects the listing saw; a key repeated in the batch counts once (its
    ///     last metadata wins).
    ///   - checkpoint: Where the job will be once the batch is stored; `nil` keeps the stored one.
    ///   - now: The server's current time.
    /// - Returns: How many objects were inserted, updated and unchanged.
    /// - Throws: ``StoreError/Code/leaseNotCurrent``; ``StoreError/Code/invalidArgument`` for a job
    ///   that is not a dataset sync.
    public func upsertDatasetObjects(
        lease: JobLease,
        objects: [DatasetObjectMetadata],
        checkpoint: SyncCheckpoint?,
        now: FerryTime
    ) async throws -> DatasetUpsertResult {
        let batch = DatasetObjectMetadata.lastOfEachKey(objects)
        return try await self.writer.write { transaction in
            let job = try await SyncLedger.fence(lease, kind: .dataset, in: transaction)
            // `IN (SELECT …)` is materialized once and probes the primary key per batch key; a
            // join on json_each let the planner scan the catalogue once per batch key.
            let catalogued = try await transaction.rows(
                """
                SELECT key, size, etag, deleted_at FROM dataset_objects
                WHERE storage_id = ? AND key IN (SELECT value FROM json_each(?))
                """,
                [.int64(job.storageID), .text(JSONText.array(of: batch.map(\.key)))]
            )
            let plan = try DatasetUpsertPlan(batch: batch, catalogued: catalogued)
            let (written, unchanged) = (plan.written, plan.unchanged)
            try await Self.writeDatasetObjects(written, storageID: job.storageID, jobID: lease.jobID, now: now, in: transaction)
            if !unchanged.isEmpty {
                try await transaction.execute(
                    """
                    UPDATE dataset_objects SET last_seen_job = ?
                    WHERE storage_id = ? AND key IN (SELECT value FROM json_each(?))
                    """,
                    [.text(lease.jobID), .int64(job.storageID), .text(JSONText.array(of: unchanged))]
                )
            }
            if !written.isEmpty {
                // last_sync_count is what the store committed for this sync, whatever the worker reports.
                try await transaction.execute(
                    "UPDATE storages SET last_sync_count = last_sync_count + ? WHERE id = ?",
                    [.int64(Int64(written.count)), .int64(job.storageID)]
                )
            }
            try await Self.writeCheckpoint(checkpoint, jobID: lease.jobID, now: now, in: transaction)
            return plan.result
        }
    }

    /// The end of a dataset listing, fenced; see ``FerryStore/completeDatasetScan(lease:listingComplete:now:)``.
    ///
    /// - Parameters:
    ///   - lease: The dataset job's lease.
    ///   - listingComplete: Whether the listing covered every object of the location.
    ///   - now: The tombstones' time.
    /// - Returns: How many objects were tombstoned.
    /// - Throws: ``StoreError/Code/leaseNotCurrent``; ``StoreError/Code/invalidArgument`` for a job
    ///   that is not a dataset sync.
    public func completeDatasetScan(lease: JobLease, listingComplete: Bool, now: FerryTime) async throws -> Int64 {
        try await self.writer.write { transaction in
            let job = try await SyncLedger.fence(lease, kind: .dataset, in: transaction)
            guard listingComplete, job.cancelRequestedAt == nil else { return 0 }
            try await transaction.execute(
                """
                UPDATE dataset_objects SET deleted_at = ?
                WHERE storage_id = ? AND deleted_at IS NULL AND last_seen_job <> ?
                """,
                [.time(now), .int64(job.storageID), .text(lease.jobID)]
            )
            return try await transaction.row("SELECT changes() AS count")?.int64("count") ?? 0
        }
    }

    /// One page of a dataset's catalogue; see ``FerryStore/listDatasetObjects(_:)``.
    ///
    /// - Parameter query: The storage, filters and cursor.
    /// - Returns: The page.
    /// - Throws: ``StoreError/Code/notFound`` for a storage that does not exist;
    ///   ``StoreError/Code/invalidArgument`` for one that is not a dataset storage.
    public func listDatasetObjects(_ query: DatasetObjectQuery) async throws -> DatasetObjectPage {
        let limit = query.effectivePageSize
        return try await self.reader.read { transaction in
            guard
                let kind = try await transaction.row(
                    "SELECT kind FROM storages WHERE id = ?", [.int64(query.storageID)]
                )?.rawEnum("kind", as: StorageKind.self)
            else {
                throw StoreError.notFound("Storage \(query.storageID) does not exist.")
            }
            guard kind == .dataset else {
                throw StoreError.invalidArgument("Storage \(query.storageID) is a \(kind) storage, not a dataset storage.")
            }
            var clause = "storage_id = ?1 AND key >= ?2 AND substr(key, 1, length(?2)) = ?2"
            var binds: [SQLiteData] = [.int64(query.storageID), .text(query.prefix), .int(limit + 1)]
            if let after = query.afterKey {
                clause += " AND key > ?4"
                binds.append(.text(after))
            }
            if !query.includeDeleted { clause += " AND deleted_at IS NULL" }
            let rows = try await transaction.rows(
                """
                SELECT key, size, etag, last_modified, content_type, first_seen_at, updated_at, deleted_at
                FROM dataset_objects WHERE \(clause) ORDER BY key LIMIT ?3
                """,
                binds
            )
            return try DatasetObjectPage(rows: rows, limit: limit)
        }
    }

    // MARK: - Helpers

    /// New, changed and revived objects: written whole, seen by `jobID`, live again. A revived
    /// object's first sighting is now.
    private static func writeDatasetObjects(
        _ objects: [DatasetObjectMetadata],
        storageID: Int64,
        jobID: String,
        now: FerryTime,
        in transaction: SQLiteTransaction
    ) async throws {
        guard !objects.isEmpty else { return }
        // `WHERE true` resolves the parsing ambiguity of INSERT … SELECT … ON CONFLICT.
        try await transaction.execute(
            """
            INSERT INTO dataset_objects (storage_id, key, size, etag, last_modified, content_type,
                first_seen_at, updated_at, last_seen_job, deleted_at)
            SELECT ?1, value ->> 'k', value ->> 's', value ->> 'e', value ->> 'm', value ->> 'c', ?2, ?2, ?3, NULL
            FROM json_each(?4) WHERE true
            ON CONFLICT (storage_id, key) DO UPDATE SET
                size = excluded.size, etag = excluded.etag, last_modified = excluded.last_modified,
                content_type = excluded.content_type, updated_at = excluded.updated_at,
                last_seen_job = excluded.last_seen_job,
                first_seen_at = CASE WHEN deleted_at IS NULL THEN first_seen_at ELSE excluded.first_seen_at END,
                deleted_at = NULL
            """,
            [.int64(storageID), .time(now), .text(jobID), .text(JSONText.datasetRows(objects))]
        )
    }
}
