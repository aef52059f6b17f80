import FerryCore
import PostgresNIO

extension PostgresFerryStore {
    /// Lists storages; see ``FerryStore/listStorages(_:)``.
    ///
    /// One read-only snapshot: the total count, then one page joined with each active storage's
    /// job and its holder's registration, so storages and observations agree.
    ///
    /// - Parameter query: Filters, page size and cursor.
    /// - Returns: The page.
    /// - Throws: ``StoreError``.
    public func listStorages(_ query: StorageQuery) async throws -> StoragePage {
        let pageSize = query.effectivePageSize
        return try await self.session.read { transaction in
            var count = PostgresQuery.Builder("SELECT COUNT(*) AS count FROM storages s WHERE")
            try count.filter(query)
            let total = try await transaction.row(count.query)?.int64("count") ?? 0

            // One extra row tells whether another page follows.
            var page = PostgresQuery.Builder(
                """
                SELECT \(StorageColumns.select), \(JobColumns.observationSelect)
                FROM storages s
                LEFT JOIN jobs j
                    ON j.id = s.last_sync_job AND j.storage_id = s.id AND s.status IN ('queued', 'in_progress')
                LEFT JOIN workers w ON w.worker_id = j.worker_id
                WHERE
                """
            )
            try page.filter(query)
            if let cursor = query.cursor {
                page.sql(" AND s.id > ")
                page.bind(cursor.afterID)
            }
            page.sql(" ORDER BY s.id LIMIT ")
            page.bind(Int64(pageSize + 1))
            let rows = try await transaction.rows(page.query)
            return try StoragePage(rows: rows, pageSize: pageSize, totalCount: total)
        }
    }
}

extension PostgresQuery.Builder {
    /// Appends the conditions of a ``StorageQuery``'s filters (not its cursor), over table alias `s`.
    mutating func filter(_ query: StorageQuery) throws {
        self.sql(" TRUE")
        if let projectID = query.projectID {
            self.sql(" AND s.project_id = ")
            self.bind(projectID)
        }
        for (column, values) in [
            ("s.kind", query.kinds.map(\.rawValue)), ("s.provider", query.providers.map(\.rawValue)),
            ("s.status", query.statuses.map(\.rawValue)),
        ] where !values.isEmpty {
            self.sql(" AND \(column) = ANY(")
            try self.bind(array: values.sorted())
            self.sql(")")
        }
        if let text = query.titleContains, !text.isEmpty {
            // strpos over lower(): a plain substring test, no LIKE wildcards to escape.
            self.sql(" AND strpos(lower(s.title), lower(")
            self.bind(text)
            self.sql(")) > 0")
        }
    }
}
