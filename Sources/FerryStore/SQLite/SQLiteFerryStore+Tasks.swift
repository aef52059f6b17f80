public import FerryCore
import SQLiteNIO

extension SQLiteFerryStore {
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
        let keysJSON = JSONText.array(of: keys)
        return try await self.reader.read { transaction in
            let job = try await SyncLedger.fence(lease, in: transaction)
            guard !keys.isEmpty else { return [] }
            // Two index probes per listed key (both indexes lead with storage_id, key).
            let rows = try await transaction.rows(
                """
                SELECT k.value AS key FROM json_each(?) k
                WHERE NOT EXISTS (SELECT 1 FROM tasks t WHERE t.storage_id = ?2 AND t.key = k.value)
                OR EXISTS (SELECT 1 FROM partial_import_keys p WHERE p.storage_id = ?2 AND p.key = k.value)
                """,
                [.text(keysJSON), .int64(job.storageID)]
            )
            var seen = Set<String>()
            return try rows.map { try $0.string("key") }.filter { seen.insert($0).inserted }
        }
    }

    /// A fenced, idempotent import batch; see ``FerryStore/importTasks(lease:tasks:checkpoint:now:)``.
    ///
    /// The whole batch is one `INSERT … SELECT FROM json_each(?) ON CONFLICT DO NOTHING`, so a
    /// batch costs a few statements however many tasks it holds.
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
        return try await self.writer.write { transaction in
            let job = try await SyncLedger.fence(lease, kind: .import, in: transaction)
            var created: [ImportLinks.Key: Int64] = [:]
            var existing: [ImportLinks.Key: Int64] = [:]
            if !tasks.isEmpty {
                guard
                    let projectID = try await transaction.row(
                        "SELECT project_id FROM storages WHERE id = ?",
                        [.int64(job.storageID)]
                    )?.int64("project_id")
                else {
                    throw StoreError.notFound("Storage \(job.storageID) does not exist.")
                }
                // `WHERE true` resolves the parsing ambiguity of INSERT … SELECT … ON CONFLICT.
                let inserted = try await transaction.rows(
                    """
                    INSERT INTO tasks (project_id, data, storage_id, key, row_index, created_at,
                        meta, predictions, imported_annotations)
                    SELECT ?, value ->> 'd', ?, value ->> 'k', value ->> 'r', ?, value ->> 'm', value ->> 'p', value ->> 'a'
                    FROM json_each(?) WHERE true
                    ON CONFLICT (storage_id, key, row_index) DO NOTHING
                    RETURNING id, key, row_index
                    """,
                    [.int64(projectID), .int64(job.storageID), .time(now), .text(payload)]
                )
                for row in inserted {
                    created[ImportLinks.Key(key: try row.string("key"), rowIndex: try row.int64("row_index"))] = try row.int64(
                        "id"
                    )
                }
                if created.count < tasks.count {
                    let found = try await transaction.rows(
                        """
                        SELECT id, key, row_index FROM tasks
                        WHERE storage_id = ? AND (key, row_index) IN (SELECT value ->> 'k', value ->> 'r' FROM json_each(?))
                        """,
                        [.int64(job.storageID), .text(payload)]
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
                    "UPDATE storages SET last_sync_count = last_sync_count + ? WHERE id = ?",
                    [.int64(Int64(created.count)), .int64(job.storageID)]
                )
            }
            try await Self.recordPartialKeys(partialKeys, of: tasks, storageID: job.storageID, in: transaction)
            try await Self.writeCheckpoint(checkpoint, jobID: lease.jobID, now: now, in: transaction)
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
        var clause = "project_id = ? AND id > ?"
        var binds: [SQLiteData] = [.int64(projectID), .int64(afterID)]
        if let storageID {
            clause += " AND storage_id = ?"
            binds.append(.int64(storageID))
        }
        return try await self.reader.withConnection { connection in
            let rows = try await connection.rows(
                """
                SELECT id, project_id, data, storage_id, key, row_index, created_at,
                    meta, predictions, imported_annotations FROM tasks
                WHERE \(clause) ORDER BY id LIMIT ?
                """,
                binds + [.int(limit)]
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
    public func taskCount(projectID: Int64) async throws -> Int64 {
        try await self.reader.withConnection { connection in
            try await connection.row(
                "SELECT COUNT(*) AS count FROM tasks WHERE project_id = ?",
                [.int64(projectID)]
            )?.int64("count") ?? 0
        }
    }

    /// Storages by kind, provider and status, and the queue; see ``FerryStore/statistics()``.
    ///
    /// - Returns: The counts now.
    /// - Throws: ``StoreError``.
    public func statistics() async throws -> StoreStatistics {
        try await self.reader.withConnection { connection in
            try StoreStatistics(
                groups: try await connection.rows(StoreStatistics.groupsSQL),
                queue: try await connection.row(StoreStatistics.queueSQL))
        }
    }

    // MARK: - Helpers

    /// Marks `partialKeys` partial and every other key of the batch complete.
    private static func recordPartialKeys(
        _ partialKeys: Set<String>,
        of tasks: [NewTask],
        storageID: Int64,
        in transaction: SQLiteTransaction
    ) async throws {
        let complete = Set(tasks.map(\.key)).subtracting(partialKeys)
        if !complete.isEmpty {
            try await transaction.execute(
                "DELETE FROM partial_import_keys WHERE storage_id = ? AND key IN (SELECT value FROM json_each(?))",
                [.int64(storageID), .text(JSONText.array(of: complete.sorted()))]
            )
        }
        if !partialKeys.isEmpty {
            try await transaction.execute(
                """
                INSERT INTO partial_import_keys (storage_id, key) SELECT ?, value FROM json_each(?) WHERE true
                ON CONFLICT (storage_id, key) DO NOTHING
                """,
                [.int64(storageID), .text(JSONText.array(of: partialKeys.sorted()))]
            )
        }
    }
}
