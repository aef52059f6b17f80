public import FerryCore
import PostgresNIO

extension PostgresFerryStore {
    /// Creates or replaces annotations; see ``FerryStore/putAnnotations(projectID:_:)``.
    ///
    /// One `INSERT … SELECT FROM jsonb_to_recordset(…) ON CONFLICT DO UPDATE … WHERE newer` for
    /// the whole request, after one query that finds inputs naming another project's task or
    /// moving an annotation to another task.
    public func putAnnotations(projectID: Int64, _ annotations: [AnnotationWrite]) async throws -> AnnotationPutResult {
        let payload = JSONText.annotationRows(annotations)
        let ids = annotations.map(\.id)
        return try await self.session.write { transaction in
            if let bad = try await transaction.row(
                """
                SELECT x.i AS id, x.t AS task_id, (SELECT a.task_id FROM annotations a WHERE a.id = x.i) AS stored_task
                FROM ROWS FROM (jsonb_to_recordset(\(payload)::JSONB) AS (i BIGINT, t BIGINT)) WITH ORDINALITY AS x (i, t, n)
                WHERE NOT EXISTS (SELECT 1 FROM tasks t WHERE t.id = x.t AND t.project_id = \(projectID))
                   OR EXISTS (SELECT 1 FROM annotations a WHERE a.id = x.i
                              AND (a.task_id <> x.t OR a.project_id <> \(projectID)))
                ORDER BY x.n LIMIT 1
                """
            ) {
                let id = try bad.int64("id")
                let taskID = try bad.int64("task_id")
                if let stored = try bad.optionalInt64("stored_task"), stored != taskID {
                    throw StoreError.invalidArgument("annotations[id=\(id)]: belongs to task \(stored), not \(taskID)")
                }
                throw StoreError.invalidArgument("annotations[id=\(id)]: task \(taskID) is not a task of project \(projectID)")
            }
            // A stored annotation changes only for a newer version, or when it comes back after a delete.
            let changed = try await transaction.rows(
                """
                INSERT INTO annotations (id, project_id, task_id, result, completed_by, created_at, updated_at)
                SELECT x.i, \(projectID), x.t, x.r, x.c, x.a, x.u
                FROM jsonb_to_recordset(\(payload)::JSONB) AS x (i BIGINT, t BIGINT, r TEXT, c TEXT, a BIGINT, u BIGINT)
                ON CONFLICT (id) DO UPDATE SET
                    result = excluded.result, completed_by = excluded.completed_by, updated_at = excluded.updated_at,
                    created_at = CASE WHEN annotations.deleted_at IS NULL
                        THEN annotations.created_at ELSE excluded.created_at END,
                    deleted_at = NULL
                WHERE excluded.updated_at > annotations.updated_at OR annotations.deleted_at IS NOT NULL
                RETURNING id
                """
            )
            let stored = try await transaction.rows(
                """
                SELECT \(unescaped: AnnotationRecord.select) FROM annotations a
                WHERE a.id = ANY(\(ids)::BIGINT[]) ORDER BY a.task_id, a.id
                """
            ).map(AnnotationRecord.init(row:))
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
        try await self.session.write { transaction in
            let tombstoned = try await transaction.rows(
                """
                UPDATE annotations SET deleted_at = \(time: now)
                WHERE project_id = \(projectID) AND deleted_at IS NULL AND id = ANY(\(ids)::BIGINT[])
                RETURNING id
                """
            )
            try await Self.purgeUnlinkedTombstones(ids, in: transaction)
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
        return try await self.session.withConnection { connection in
            let records = try await Self.liveAnnotations(ofTasks: taskIDs, in: connection)
            return Dictionary(grouping: records, by: \.taskID)
        }
    }

    // MARK: - Helpers

    /// The live annotations of tasks, in task then id order.
    static func liveAnnotations(ofTasks taskIDs: [Int64], in transaction: PostgresTransaction) async throws
        -> [AnnotationRecord]
    {
        try await transaction.rows(
            """
            SELECT \(unescaped: AnnotationRecord.select) FROM annotations a
            WHERE a.task_id = ANY(\(taskIDs)::BIGINT[]) AND a.deleted_at IS NULL ORDER BY a.task_id, a.id
            """
        ).map(AnnotationRecord.init(row:))
    }

    /// Drops tombstones (among `ids`) that no export link points at any more.
    static func purgeUnlinkedTombstones(_ ids: [Int64], in transaction: PostgresTransaction) async throws {
        guard !ids.isEmpty else { return }
        try await transaction.execute(
            """
            DELETE FROM annotations WHERE deleted_at IS NOT NULL AND id = ANY(\(ids)::BIGINT[])
            AND NOT EXISTS (SELECT 1 FROM export_links l WHERE l.annotation_id = annotations.id)
            """
        )
    }

    /// The project's export storages that export on change, in id order.
    private static func exportOnChangeStorages(projectID: Int64, in transaction: PostgresTransaction) async throws
        -> [Int64]
    {
        try await transaction.rows(
            """
            SELECT id FROM storages WHERE project_id = \(projectID) AND kind = 'export'
            AND settings::JSONB ->> 'exportOnChange' = 'true' ORDER BY id
            """
        ).map { try $0.int64("id") }
    }
}
