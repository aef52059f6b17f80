public import FerryCore
import Foundation
import SQLiteNIO

extension SQLiteFerryStore {
    /// The most tasks one export batch covers.
    public static let maxExportBatch = 1_000

    /// The next batch of an export job; see ``FerryStore/exportBatch(lease:afterTaskID:limit:)``.
    ///
    /// A task needs writing when one of its live annotations has no link from this storage or a
    /// link to another version, or when a link points at an annotation that was deleted (the
    /// object still holds it); a full export takes every task with a live annotation. Each
    /// object's JSON is made by SQLite (`json_object`), so the worker gets it ready to write.
    public func exportBatch(lease: JobLease, afterTaskID: Int64, limit: Int) async throws -> ExportBatch {
        let limit = min(max(1, limit), Self.maxExportBatch)
        return try await self.writer.write { transaction in
            let target = try await Self.exportTarget(lease, in: transaction)
            let changed = target.exportsAll ? "" : "AND (l.annotation_id IS NULL OR l.exported_version != a.updated_at)"
            // Each side walks its index in task order and stops after the batch, so a batch costs
            // the same at the start of a large export as at its end.
            let candidates = try await transaction.rows(
                """
                SELECT task_id FROM (
                    SELECT * FROM (
                        SELECT DISTINCT a.task_id FROM annotations a
                        LEFT JOIN export_links l ON l.storage_id = ?1 AND l.annotation_id = a.id
                        WHERE a.project_id = ?2 AND a.task_id > ?3 AND a.deleted_at IS NULL \(changed)
                        ORDER BY a.task_id LIMIT ?4)
                    UNION
                    SELECT * FROM (
                        SELECT DISTINCT l.task_id FROM export_links l LEFT JOIN annotations a ON a.id = l.annotation_id
                        WHERE l.storage_id = ?1 AND l.task_id > ?3 AND (a.id IS NULL OR a.deleted_at IS NOT NULL)
                        ORDER BY l.task_id LIMIT ?4)
                ) ORDER BY task_id LIMIT ?4
                """,
                [.int64(target.storageID), .int64(target.projectID), .int64(afterTaskID), .int(limit + 1)]
            ).map { try $0.int64("task_id") }
            let taskIDs = Array(candidates.prefix(limit))
            var batch = ExportBatch(
                objects: [], deleteKeys: [], lastTaskID: taskIDs.last ?? afterTaskID, done: candidates.count <= limit)
            guard !taskIDs.isEmpty else { return batch }
            let idsJSON = "[" + taskIDs.map(String.init).joined(separator: ",") + "]"
            var emptied: [Int64] = []
            for row in try await Self.exportContents(idsJSON, in: transaction) {
                let taskID = try row.int64("id")
                guard let versions = try row.optionalString("versions") else {
                    emptied.append(taskID)
                    continue
                }
                batch.objects.append(
                    ExportObject(
                        taskID: taskID, key: target.keyPrefix + "\(taskID).json",
                        annotations: try Self.exportedAnnotations(versions), content: try row.string("content")))
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
        let tasksJSON = "[" + written.map { String($0.taskID) }.joined(separator: ",") + "]"
        return try await self.writer.write { transaction in
            let target = try await Self.exportTarget(lease, in: transaction)
            let storage = SQLiteData.int64(target.storageID)
            let recorded = try await transaction.rows(
                """
                INSERT INTO export_links (storage_id, annotation_id, task_id, key, etag, exported_version, exported_at)
                SELECT ?, value ->> 'i', value ->> 't', value ->> 'k', value ->> 'e', value ->> 'v', ? FROM json_each(?)
                WHERE true
                ON CONFLICT (storage_id, annotation_id) DO UPDATE SET task_id = excluded.task_id, key = excluded.key,
                    etag = excluded.etag, exported_version = excluded.exported_version, exported_at = excluded.exported_at
                RETURNING annotation_id
                """,
                [storage, .time(now), .text(links)]
            )
            // The rewritten objects no longer hold the annotations they were written without.
            var dropped = try await transaction.rows(
                """
                DELETE FROM export_links WHERE storage_id = ?1 AND task_id IN (SELECT value FROM json_each(?2))
                AND annotation_id NOT IN (SELECT value ->> 'i' FROM json_each(?3))
                RETURNING annotation_id
                """,
                [storage, .text(tasksJSON), .text(links)]
            )
            dropped += try await transaction.rows(
                """
                DELETE FROM export_links WHERE storage_id = ? AND key IN (SELECT value FROM json_each(?))
                RETURNING annotation_id
                """,
                [storage, .text(JSONText.array(of: deletedKeys))]
            )
            let droppedJSON = "[" + (try dropped.map { String(try $0.int64("annotation_id")) }).joined(separator: ",") + "]"
            try await Self.purgeUnlinkedTombstones("id IN (SELECT value FROM json_each(?))", [.text(droppedJSON)], in: transaction)
            if !written.isEmpty {
                try await transaction.execute(
                    "UPDATE storages SET last_sync_count = last_sync_count + ? WHERE id = ?",
                    [.int64(Int64(written.count)), storage]
                )
            }
            try await Self.writeCheckpoint(checkpoint, jobID: lease.jobID, now: now, in: transaction)
            return Int64(recorded.count)
        }
    }

    // MARK: - Helpers

    private static func exportTarget(_ lease: JobLease, in transaction: SQLiteTransaction) async throws -> ExportTarget {
        let job = try await SyncLedger.fence(lease, kind: .export, in: transaction)
        guard
            let row = try await transaction.row(
                """
                SELECT s.project_id, s.settings, j.only_new, j.full_export
                FROM storages s JOIN jobs j ON j.storage_id = s.id WHERE j.id = ?
                """,
                [.text(lease.jobID)]
            )
        else {
            throw StoreError.notFound("Storage \(job.storageID) does not exist.")
        }
        return try ExportTarget(storageID: job.storageID, row: row)
    }

    /// Each task's export JSON (`id`, `data`, `meta`, `predictions`, `annotations` with their
    /// ids, results, authors and times, `created_at`) and its annotations' versions; `versions`
    /// is NULL for a task with no live annotation.
    private static func exportContents(_ idsJSON: String, in transaction: SQLiteTransaction) async throws
        -> [SQLiteRow]
    {
        let iso = "strftime('%Y-%m-%dT%H:%M:%fZ', %@ / 1000000.0, 'unixepoch')"
        let created = iso.replacingOccurrences(of: "%@", with: "a.created_at")
        let updated = iso.replacingOccurrences(of: "%@", with: "a.updated_at")
        return try await transaction.rows(
            """
            SELECT t.id,
                json_object('id', t.id, 'data', json(t.data), 'meta', json(COALESCE(t.meta, '{}')),
                    'predictions', json(COALESCE(t.predictions, '[]')),
                    'annotations', json(COALESCE(x.annotations, '[]')),
                    'created_at', \(iso.replacingOccurrences(of: "%@", with: "t.created_at"))) AS content,
                x.versions
            FROM tasks t LEFT JOIN (
                SELECT a.task_id,
                    json_group_array(json_object('id', a.id, 'task', a.task_id, 'result', json(a.result),
                        'completed_by', a.completed_by, 'created_at', \(created), 'updated_at', \(updated))) AS annotations,
                    json_group_array(json_array(a.id, a.updated_at)) AS versions
                FROM (SELECT * FROM annotations WHERE task_id IN (SELECT value FROM json_each(?1))
                      AND deleted_at IS NULL ORDER BY task_id, id) a
                GROUP BY a.task_id
            ) x ON x.task_id = t.id
            WHERE t.id IN (SELECT value FROM json_each(?1)) ORDER BY t.id
            """,
            [.text(idsJSON)]
        )
    }

    /// Tasks left with no live annotation: their keys to delete when the storage deletes
    /// objects; otherwise their links go now (the objects stay) with the tombstones they held.
    private static func resolveEmptied(
        _ taskIDs: [Int64], of target: ExportTarget, into batch: inout ExportBatch, in transaction: SQLiteTransaction
    ) async throws {
        guard !taskIDs.isEmpty else { return }
        let idsJSON = "[" + taskIDs.map(String.init).joined(separator: ",") + "]"
        let binds: [SQLiteData] = [.int64(target.storageID), .text(idsJSON)]
        if target.canDeleteObjects {
            batch.deleteKeys = try await transaction.rows(
                """
                SELECT DISTINCT key FROM export_links WHERE storage_id = ? AND task_id IN (SELECT value FROM json_each(?))
                ORDER BY key
                """,
                binds
            ).map { try $0.string("key") }
            return
        }
        let dropped = try await transaction.rows(
            """
            DELETE FROM export_links WHERE storage_id = ? AND task_id IN (SELECT value FROM json_each(?))
            RETURNING annotation_id
            """,
            binds
        )
        let droppedJSON = "[" + (try dropped.map { String(try $0.int64("annotation_id")) }).joined(separator: ",") + "]"
        try await Self.purgeUnlinkedTombstones("id IN (SELECT value FROM json_each(?))", [.text(droppedJSON)], in: transaction)
    }

    /// `[[id, version], …]` as SQLite's json_group_array made it.
    private static func exportedAnnotations(_ versions: String) throws -> [ExportedAnnotation] {
        guard let pairs = try? JSONDecoder().decode([[Int64]].self, from: Data(versions.utf8)) else {
            throw StoreError.corrupt("An annotation version list is not JSON: \(versions.prefix(80))")
        }
        return try pairs.map { pair in
            guard pair.count == 2 else { throw StoreError.corrupt("An annotation version is not an [id, version] pair.") }
            return ExportedAnnotation(id: pair[0], version: FerryTime(unixMicroseconds: pair[1]))
        }
    }
}
