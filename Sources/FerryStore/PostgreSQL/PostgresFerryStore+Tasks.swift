public import FerryCore
import PostgresNIO

extension PostgresFerryStore {
    /// The most tasks ``listTasks(projectID:storageID:afterID:limit:)`` returns at once.
    public static let maxTaskPage = 10_000

    /// Which keys have no link yet for the lease's storage, fenced; see
    /// ``FerryStore/newImportKeys(lease:keys:)``.
    ///
    /// - Parameters:
    ///   - lease: The import job's lease.
    ///   - keys: Object keys found by the listing.
    /// - Returns: The keys without a link or still partial, in request order, each once.
    /// - Throws: ``StoreError/Code/leaseNotCurrent``.
    public func newImportKeys(lease: JobLease, keys: [String]) async throws -> [String] {
        try await self.session.read { transaction in
            let job = try await SyncLedger.fence(lease, in: transaction)
            guard !keys.isEmpty else { return [] }
            let rows = try await transaction.rows(NewImportKeys(keys: keys, storageID: job.storageID))
            var seen = Set<String>()
            return try rows.map { try $0.string("key") }.filter { seen.insert($0).inserted }
        }
    }

    /// A fenced, idempotent import batch; see ``FerryStore/importTasks(lease:tasks:checkpoint:now:)``.
    ///
    /// The whole batch is one `INSERT … SELECT FROM jsonb_to_recordset(…) ON CONFLICT DO NOTHING`
    /// on the unique link (storage, key, row index), so a replayed batch, a retried job or two
    /// replicas racing never duplicate a task.
    ///
    /// - Parameters:
    ///   - lease: The import job's lease.
    ///   - tasks: The tasks.
    ///   - partialKeys: Keys of `tasks` whose object has more rows in a later batch.
    ///   - checkpoint: Where the job will be once the batch is stored.
    ///   - now: The creation time.
    /// - Returns: The links created and those that already existed.
    /// - Throws: ``StoreError/Code/leaseNotCurrent``, ``StoreError/Code/invalidArgument``.
    public func importTasks(
        lease: JobLease,
        tasks: [NewTask],
        partialKeys: Set<String>,
        checkpoint: SyncCheckpoint?,
        now: FerryTime
    ) async throws -> ImportResult {
        let payload = JSONText.importRows(tasks)
        return try await self.ledgerWrite { rows in
            let transaction = rows.transaction
            let job = try await SyncLedger.fence(lease, kind: .import, in: rows)
            var created: [ImportLinks.Key: Int64] = [:]
            var existing: [ImportLinks.Key: Int64] = [:]
            if !tasks.isEmpty {
                guard
                    let projectID = try await transaction.row(
                        "SELECT project_id FROM storages WHERE id = \(job.storageID)"
                    )?.int64("project_id")
                else {
                    throw StoreError.notFound("Storage \(job.storageID) does not exist.")
                }
                let inserted = try await transaction.rows(
                    """
                    INSERT INTO tasks (project_id, data, storage_id, key, row_index, created_at,
                        meta, predictions, imported_annotations)
                    SELECT \(projectID), x.d, \(job.storageID), x.k, x.r, \(time: now), x.m, x.p, x.a
                    FROM jsonb_to_recordset(\(payload)::JSONB) AS x (k TEXT, r BIGINT, d TEXT, m TEXT, p TEXT, a TEXT)
                    ON CONFLICT (storage_id, key, row_index) DO NOTHING
                    RETURNING id, key, row_index
                    """
                )
                for row in inserted {
                    let link = ImportLinks.Key(key: try row.string("key"), rowIndex: try row.int64("row_index"))
                    created[link] = try row.int64("id")
                }
                if created.count < tasks.count {
                    let found = try await transaction.rows(
                        """
                        SELECT t.id, t.key, t.row_index FROM tasks t
                        JOIN jsonb_to_recordset(\(payload)::JSONB) AS x (k TEXT, r BIGINT) ON t.key = x.k AND t.row_index = x.r
                        WHERE t.storage_id = \(job.storageID)
                        """
                    )
                    for row in found {
                        let link = ImportLinks.Key(key: try row.string("key"), rowIndex: try row.int64("row_index"))
                        if created[link] == nil { existing[link] = try row.int64("id") }
                    }
                }
            }
            if !created.isEmpty {
                // last_sync_count is what the store committed for this sync, whatever the worker reports.
                try await transaction.execute(
                    "UPDATE storages SET last_sync_count = last_sync_count + \(Int64(created.count)) WHERE id = \(job.storageID)"
                )
            }
            try await Self.recordPartialKeys(partialKeys, of: tasks, storageID: job.storageID, in: transaction)
            try await rows.writeCheckpoint(checkpoint, jobID: lease.jobID, now: now)
            return try ImportLinks.result(tasks, created: created, existing: existing)
        }
    }

    /// Reads a project's tasks; see ``FerryStore/listTasks(projectID:storageID:afterID:limit:)``.
    ///
    /// - Parameters:
    ///   - projectID: The project.
    ///   - storageID: Only tasks linked to this storage; `nil` for all.
    ///   - afterID: Start after this task id.
    ///   - limit: The most tasks to return; capped at ``maxTaskPage``.
    /// - Returns: The tasks, in ascending id order.
    /// - Throws: ``StoreError``.
    public func listTasks(projectID: Int64, storageID: Int64?, afterID: Int64, limit: Int) async throws -> [TaskRecord]
    {
        let limit = min(max(0, limit), Self.maxTaskPage)
        guard limit > 0 else { return [] }
        return try await self.session.withConnection { connection in
            let rows = try await connection.rows(
                """
                SELECT id, project_id, data, storage_id, key, row_index, created_at,
                    meta, predictions, imported_annotations FROM tasks
                WHERE project_id = \(projectID) AND id > \(afterID)
                AND (\(storageID)::BIGINT IS NULL OR storage_id = \(storageID))
                ORDER BY id LIMIT \(Int64(limit))
                """
            )
            return try rows.map { row in
                TaskRecord(
                    id: try row.int64("id"),
                    projectID: try row.int64("project_id"),
                    data: try row.string("data"),
                    storageID: try row.optionalInt64("storage_id"),
                    key: try row.optionalString("key"),
                    rowIndex: try row.optionalInt64("row_index"),
                    createdAt: try row.time("created_at"),
                    platformFields: TaskPlatformFields(
                        meta: try row.optionalString("meta"),
                        predictions: try row.optionalString("predictions"),
                        annotations: try row.optionalString("imported_annotations"))
                )
            }
        }
    }

    /// How many tasks a project has; see ``FerryStore/taskCount(projectID:)``.
    ///
    /// - Parameter projectID: The project.
    /// - Returns: The count.
    /// - Throws: ``StoreError``.
    /// Storages by kind, provider and status, and the queue; see ``FerryStore/statistics()``.
    ///
    /// - Returns: The counts now.
    /// - Throws: ``StoreError``.
    public func statistics() async throws -> StoreStatistics {
        try await self.session.read { transaction in
            try StoreStatistics(
                groups: try await transaction.rows(PostgresQuery(unsafeSQL: StoreStatistics.groupsSQL)),
                queue: try await transaction.row(PostgresQuery(unsafeSQL: StoreStatistics.queueSQL)))
        }
    }

    public func taskCount(projectID: Int64) async throws -> Int64 {
        try await self.session.withConnection { connection in
            try await connection.row("SELECT COUNT(*) AS count FROM tasks WHERE project_id = \(projectID)")?
                .int64("count") ?? 0
        }
    }

    // MARK: - Helpers

    /// Marks `partialKeys` partial and every other key of the batch complete.
    private static func recordPartialKeys(
        _ partialKeys: Set<String>,
        of tasks: [NewTask],
        storageID: Int64,
        in transaction: PostgresTransaction
    ) async throws {
        let complete = Set(tasks.map(\.key)).subtracting(partialKeys)
        if !complete.isEmpty {
            try await transaction.execute(
                "DELETE FROM partial_import_keys WHERE storage_id = \(storageID) AND key = ANY(\(complete.sorted())::TEXT[])"
            )
        }
        if !partialKeys.isEmpty {
            try await transaction.execute(
                """
                INSERT INTO partial_import_keys (storage_id, key) SELECT \(storageID), unnest(\(partialKeys.sorted())::TEXT[])
                ON CONFLICT (storage_id, key) DO NOTHING
                """
            )
        }
    }
}
