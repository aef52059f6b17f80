public import FerryCore
import PostgresNIO

extension PostgresFerryStore {
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
        return try await self.ledgerWrite { rows in
            let transaction = rows.transaction
            let job = try await SyncLedger.fence(lease, kind: .dataset, in: rows)
            let catalogued = try await transaction.rows(
                """
                SELECT key, size, etag, deleted_at FROM dataset_objects
                WHERE storage_id = \(job.storageID) AND key = ANY(\(batch.map(\.key))::TEXT[])
                """
            )
            let plan = try DatasetUpsertPlan(batch: batch, catalogued: catalogued)
            let (written, unchanged) = (plan.written, plan.unchanged)
            if !written.isEmpty {
                try await transaction.execute(
                    """
                    INSERT INTO dataset_objects (storage_id, key, size, etag, last_modified, content_type,
                        first_seen_at, updated_at, last_seen_job, deleted_at)
                    SELECT \(job.storageID), x.k, x.s, x.e, x.m, x.c, \(time: now), \(time: now), \(lease.jobID), NULL
                    FROM jsonb_to_recordset(\(JSONText.datasetRows(written))::JSONB)
                        AS x (k TEXT, s BIGINT, e TEXT, m BIGINT, c TEXT)
                    ON CONFLICT (storage_id, key) DO UPDATE SET
                        size = excluded.size, etag = excluded.etag, last_modified = excluded.last_modified,
                        content_type = excluded.content_type, updated_at = excluded.updated_at,
                        last_seen_job = excluded.last_seen_job,
                        first_seen_at = CASE WHEN dataset_objects.deleted_at IS NULL
                            THEN dataset_objects.first_seen_at ELSE excluded.first_seen_at END,
                        deleted_at = NULL
                    """
                )
                // last_sync_count is what the store committed for this sync, whatever the worker reports.
                try await transaction.execute(
                    "UPDATE storages SET last_sync_count = last_sync_count + \(Int64(written.count)) WHERE id = \(job.storageID)"
                )
            }
            if !unchanged.isEmpty {
                try await transaction.execute(
                    """
                    UPDATE dataset_objects SET last_seen_job = \(lease.jobID)
                    WHERE storage_id = \(job.storageID) AND key = ANY(\(unchanged)::TEXT[])
                    """
                )
            }
            try await rows.writeCheckpoint(checkpoint, jobID: lease.jobID, now: now)
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
        try await self.ledgerWrite { rows in
            let job = try await SyncLedger.fence(lease, kind: .dataset, in: rows)
            guard listingComplete, job.cancelRequestedAt == nil else { return 0 }
            return try await rows.transaction.row(
                """
                WITH tombstoned AS (
                    UPDATE dataset_objects SET deleted_at = \(time: now)
                    WHERE storage_id = \(job.storageID) AND deleted_at IS NULL AND last_seen_job <> \(lease.jobID)
                    RETURNING 1
                )
                SELECT COUNT(*) AS count FROM tombstoned
                """
            )?.int64("count") ?? 0
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
        return try await self.session.read { transaction in
            guard
                let kind = try await transaction.row(
                    "SELECT kind FROM storages WHERE id = \(query.storageID)"
                )?.rawEnum("kind", as: StorageKind.self)
            else {
                throw StoreError.notFound("Storage \(query.storageID) does not exist.")
            }
            guard kind == .dataset else {
                throw StoreError.invalidArgument("Storage \(query.storageID) is a \(kind) storage, not a dataset storage.")
            }
            let rows = try await transaction.rows(
                """
                SELECT key, size, etag, last_modified, content_type, first_seen_at, updated_at, deleted_at
                FROM dataset_objects
                WHERE storage_id = \(query.storageID) AND key >= \(query.prefix) AND starts_with(key, \(query.prefix))
                AND (\(query.afterKey)::TEXT IS NULL OR key > \(query.afterKey))
                AND (\(query.includeDeleted) OR deleted_at IS NULL)
                ORDER BY key LIMIT \(Int64(limit + 1))
                """
            )
            return try DatasetObjectPage(rows: rows, limit: limit)
        }
    }
}
