public import FerryCore
import SQLiteNIO

extension SQLiteFerryStore {
    /// Creates or replaces annotations; see ``FerryStore/putAnnotations(projectID:_:)``.
    ///
    /// One `INSERT … SELECT FROM json_each(?) ON CONFLICT DO UPDATE … WHERE newer` for the whole
    /// request, after one query that finds inputs naming another project's task or moving an
    /// annotation to another task.
    public func putAnnotations(projectID: Int64, _ annotations: [AnnotationWrite]) async throws -> AnnotationPutResult {
        let payload = JSONText.annotationRows(annotations)
        return try await self.writer.write { transaction in
            if let bad = try await transaction.row(
                """
                SELECT value ->> 'i' AS id, value ->> 't' AS task_id,
                    (SELECT a.task_id FROM annotations a WHERE a.id = value ->> 'i') AS stored_task
                FROM json_each(?1)
                WHERE NOT EXISTS (SELECT 1 FROM tasks t WHERE t.id = value ->> 't' AND t.project_id = ?2)
                   OR EXISTS (SELECT 1 FROM annotations a WHERE a.id = value ->> 'i'
                              AND (a.task_id != value ->> 't' OR a.project_id != ?2))
                LIMIT 1
                """,
                [.text(payload), .int64(projectID)]
            ) {
                let id = try bad.int64("id")
                let taskID = try bad.int64("task_id")
                if let stored = try bad.optionalInt64("stored_task"), stored != taskID {
                    throw StoreError.invalidArgument("annotations[id=\(id)]: belongs to task \(stored), not \(taskID)")
                }
                throw StoreError.invalidArgument("annotations[id=\(id)]: task \(taskID) is not a task of project \(projectID)")
            }
            // A stored annotation changes only for a newer version, or when it comes back after
            // a delete; `WHERE true` resolves the parsing ambiguity of INSERT … SELECT … ON CONFLICT.
            let changed = try await transaction.rows(
                """
                INSERT INTO annotations (id, project_id, task_id, result, completed_by, created_at, updated_at)
                SELECT value ->> 'i', ?, value ->> 't', value ->> 'r', value ->> 'c', value ->> 'a', value ->> 'u'
                FROM json_each(?) WHERE true
                ON CONFLICT (id) DO UPDATE SET
                    result = excluded.result, completed_by = excluded.completed_by, updated_at = excluded.updated_at,
                    created_at = CASE WHEN deleted_at IS NULL THEN created_at ELSE excluded.created_at END,
                    deleted_at = NULL
                WHERE excluded.updated_at > annotations.updated_at OR annotations.deleted_at IS NOT NULL
                RETURNING id
                """,
                [.int64(projectID), .text(payload)]
            )
            let stored = try await Self.annotations(
                "a.id IN (SELECT value ->> 'i' FROM json_each(?))", [.text(payload)], in: transaction)
            let byID = Dictionary(stored.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            return AnnotationPutResult(
                stored: annotations.compactMap { byID[$0.id] },
                unchanged: annotations.count - changed.count,
                exportOnChange: changed.isEmpty
                    ? [] : try await Self.exportOnChangeStorages(projectID: projectID, in: transaction)
            )
        }
    }

    /// Deletes annotations; see ``FerryStore/deleteAnnotations(projectID:ids:now:)``.
    ///
    /// An annotation no export link points at goes at once; the others become tombstones that
    /// the export batches of the linking storages resolve.
    public func deleteAnnotations(projectID: Int64, ids: [Int64], now: FerryTime) async throws
        -> AnnotationDeleteResult
    {
        let idsJSON = "[" + ids.map(String.init).joined(separator: ",") + "]"
        return try await self.writer.write { transaction in
            let tombstoned = try await transaction.rows(
                """
                UPDATE annotations SET deleted_at = ?
                WHERE project_id = ? AND deleted_at IS NULL AND id IN (SELECT value FROM json_each(?))
                RETURNING id
                """,
                [.time(now), .int64(projectID), .text(idsJSON)]
            )
            try await Self.purgeUnlinkedTombstones("id IN (SELECT value FROM json_each(?))", [.text(idsJSON)], in: transaction)
            return AnnotationDeleteResult(
                deleted: Int64(tombstoned.count),
                exportOnChange: tombstoned.isEmpty
                    ? [] : try await Self.exportOnChangeStorages(projectID: projectID, in: transaction)
            )
        }
    }

    /// The live annotations of tasks; see ``FerryStore/annotations(ofTasks:)``.
    public func annotations(ofTasks taskIDs: [Int64]) async throws -> [Int64: [AnnotationRecord]] {
        guard !taskIDs.isEmpty else { return [:] }
        let idsJSON = "[" + taskIDs.map(String.init).joined(separator: ",") + "]"
        return try await self.reader.read { transaction in
            let records = try await Self.annotations(
                "a.task_id IN (SELECT value FROM json_each(?)) AND a.deleted_at IS NULL", [.text(idsJSON)],
                in: transaction)
            return Dictionary(grouping: records, by: \.taskID)
        }
    }

    // MARK: - Helpers

    /// Annotations matching a condition on alias `a`, in task then id order.
    static func annotations(
        _ condition: String, _ binds: [SQLiteData], in transaction: SQLiteTransaction
    ) async throws -> [AnnotationRecord] {
        try await transaction.rows(
            "SELECT \(AnnotationRecord.select) FROM annotations a WHERE \(condition) ORDER BY a.task_id, a.id",
            binds
        ).map(AnnotationRecord.init(row:))
    }

    /// Drops tombstones (among those matching `condition`) that no export link points at any more.
    static func purgeUnlinkedTombstones(
        _ condition: String, _ binds: [SQLiteData], in transaction: SQLiteTransaction
    ) async throws {
        try await transaction.execute(
            """
            DELETE FROM annotations WHERE deleted_at IS NOT NULL AND \(condition)
            AND NOT EXISTS (SELECT 1 FROM export_links l WHERE l.annotation_id = annotations.id)
            """,
            binds
        )
    }

    /// The project's export storages that export on change, in id order.
    private static func exportOnChangeStorages(projectID: Int64, in transaction: SQLiteTransaction) async throws
        -> [Int64]
    {
        try await transaction.rows(
            """
            SELECT id FROM storages WHERE project_id = ? AND kind = 'export'
            AND settings ->> '$.exportOnChange' = 1 ORDER BY id
            """,
            [.int64(projectID)]
        ).map { try $0.int64("id") }
    }
}
