public import FerryCore
import PostgresNIO

extension PostgresFerryStore {
    /// The most tasks one export batch covers.
    public static let maxExportBatch = 1_000

    /// The next batch of an export job; see ``FerryStore/exportBatch(lease:afterTaskID:limit:)``.
    ///
    /// A task needs writing when one of its live annotations has no link from this storage or a
    /// link to another version, or when a link points at an annotation that was deleted (the
    /// object still holds it); a full export takes every task with a live annotation. Each
    /// object's JSON is assembled here (``ExportDocument``), ready to write.
    public func exportBatch(lease: JobLease, afterTaskID: Int64, limit: Int) async throws -> ExportBatch {
        let limit = Int64(min(max(1, limit), Self.maxExportBatch))
        return try await self.ledgerWrite { rows in
            let transaction = rows.transaction
            let target = try await Self.exportTarget(lease, in: rows)
            let changed = target.exportsAll ? "" : "AND (l.annotation_id IS NULL OR l.exported_version <> a.updated_at)"
            // Each side walks its index in task order and stops after the batch, so a batch costs
            // the same at the start of a large export as at its end.
            let candidates = try await transaction.rows(
                """
                SELECT task_id FROM (
                    (SELECT DISTINCT a.task_id FROM annotations a
                     LEFT JOIN export_links l ON l.storage_id = \(target.storageID) AND l.annotation_id = a.id
                     WHERE a.project_id = \(target.projectID) AND a.task_id > \(afterTaskID) AND a.deleted_at IS NULL
                     \(unescaped: changed)
                     ORDER BY a.task_id LIMIT \(limit + 1))
                    UNION
                    (SELECT DISTINCT l.task_id FROM export_links l LEFT JOIN annotations a ON a.id = l.annotation_id
                     WHERE l.storage_id = \(target.storageID) AND l.task_id > \(afterTaskID)
                     AND (a.id IS NULL OR a.deleted_at IS NOT NULL)
                     ORDER BY l.task_id LIMIT \(limit + 1))
                ) due ORDER BY task_id LIMIT \(limit + 1)
                """
            ).map { try $0.int64("task_id") }
            let taskIDs = Array(candidates.prefix(Int(limit)))
            var batch = ExportBatch(
                objects: [], deleteKeys: [], lastTaskID: taskIDs.last ?? afterTaskID, done: Int64(candidates.count) <= limit)
            guard !taskIDs.isEmpty else { return batch }
            let live = try await Self.liveAnnotations(ofTasks: taskIDs, in: transaction)
            let annotations = Dictionary(grouping: live, by: \.taskID)
            let tasks = try await transaction.rows(
                """
                SELECT id, data, meta, predictions, created_at FROM tasks
                WHERE id = ANY(\(taskIDs)::BIGINT[]) ORDER BY id
                """
            )
            var emptied: [Int64] = []
            for row in tasks {
                let taskID = try row.int64("id")
                guard let records = annotations[taskID] else {
                    emptied.append(taskID)
                    continue
                }
                let content = ExportDocument.content(
                    taskID: taskID, data: try row.string("data"), meta: try row.optionalString("meta"),
                    predictions: try row.optionalString("predictions"), createdAt: try row.time("created_at"),
                    annotations: records)
                batch.objects.append(
                    ExportObject(
                        taskID: taskID, key: target.keyPrefix + "\(taskID).json",
                        annotations: records.map { ExportedAnnotation(id: $0.id, version: $0.updatedAt) },
                        content: content))
            }
            try await Self.resolveEmptied(emptied, of: target, into: &batch, in: transaction)
            return batch
        }
    }

    /// Records what an export job wrote; see
    /// ``FerryStore/acknowledgeExport(lease:written:deletedKeys:checkpoint:now:)``.
    public func acknowledgeExport(
        lease: JobLease,
        written: [ExportWritten],
        deletedKeys: [String],
        checkpoint: SyncCheckpoint?,
        now: FerryTime
    ) async throws -> Int64 {
        let links = JSONText.linkRows(written)
        let taskIDs = written.map(\.taskID)
        let annotationIDs = written.flatMap { $0.annotations.map(\.id) }
        return try await self.ledgerWrite { rows in
            let transaction = rows.transaction
            let storageID = try await Self.exportTarget(lease, in: rows).storageID
            let recorded = try await transaction.rows(
                """
                INSERT INTO export_links (storage_id, annotation_id, task_id, key, etag, exported_version, exported_at)
                SELECT \(storageID), x.i, x.t, x.k, x.e, x.v, \(time: now)
                FROM jsonb_to_recordset(\(links)::JSONB) AS x (i BIGINT, t BIGINT, k TEXT, e TEXT, v BIGINT)
                ON CONFLICT (storage_id, annotation_id) DO UPDATE SET task_id = excluded.task_id, key = excluded.key,
                    etag = excluded.etag, exported_version = excluded.exported_version, exported_at = excluded.exported_at
                RETURNING annotation_id
                """
            )
            // The rewritten objects no longer hold the annotations they were written without.
            var dropped = try await transaction.rows(
                """
                DELETE FROM export_links WHERE storage_id = \(storageID) AND task_id = ANY(\(taskIDs)::BIGINT[])
                AND annotation_id <> ALL(\(annotationIDs)::BIGINT[])
                RETURNING annotation_id
                """
            )
            dropped += try await transaction.rows(
                """
                DELETE FROM export_links WHERE storage_id = \(storageID) AND key = ANY(\(deletedKeys)::TEXT[])
                RETURNING annotation_id
                """
            )
            try await Self.purgeUnlinkedTombstones(try dropped.map { try $0.int64("annotation_id") }, in: transaction)
            if !written.isEmpty {
                try await transaction.execute(
                    "UPDATE storages SET last_sync_count = last_sync_count + \(Int64(written.count)) WHERE id = \(storageID)"
                )
            }
            try await rows.writeCheckpoint(checkpoint, jobID: lease.jobID, now: now)
            return Int64(recorded.count)
        }
    }

    // MARK: - Helpers

    private static func exportTarget(_ lease: JobLease, in rows: PostgresLedgerRows) async throws -> ExportTarget {
        let job = try await SyncLedger.fence(lease, kind: .export, in: rows)
        guard
            let row = try await rows.transaction.row(
                """
                SELECT s.project_id, s.settings, j.only_new, j.full_export
                FROM storages s JOIN jobs j ON j.storage_id = s.id WHERE j.id = \(lease.jobID)
                """
            )
        else {
            throw StoreError.notFound("Storage \(job.storageID) does not exist.")
        }
        return try ExportTarget(storageID: job.storageID, row: row)
    }

    /// Tasks left with no live annotation: their keys to delete when the storage deletes
    /// objects; otherwise their links go now (the objects stay) with the tombstones they held.
    private static func resolveEmptied(
        _ taskIDs: [Int64], of target: ExportTarget, into batch: inout ExportBatch, in transaction: PostgresTransaction
    ) async throws {
        guard !taskIDs.isEmpty else { return }
        if target.canDeleteObjects {
            batch.deleteKeys = try await transaction.rows(
                """
                SELECT DISTINCT key FROM export_links
                WHERE storage_id = \(target.storageID) AND task_id = ANY(\(taskIDs)::BIGINT[])
                ORDER BY key
                """
            ).map { try $0.string("key") }
            return
        }
        let dropped = try await transaction.rows(
            """
            DELETE FROM export_links WHERE storage_id = \(target.storageID) AND task_id = ANY(\(taskIDs)::BIGINT[])
            RETURNING annotation_id
            """
        )
        try await purgeUnlinkedTombstones(try dropped.map { try $0.int64("annotation_id") }, in: transaction)
    }
}
