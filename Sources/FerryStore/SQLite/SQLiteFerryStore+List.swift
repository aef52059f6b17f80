import FerryCore
import SQLiteNIO

extension SQLiteFerryStore {
    /// Lists storages; see ``FerryStore/listStorages(_:)``.
    ///
    /// One read transaction: the total count, then one page joined with each active storage's job
    /// and its holder's registration, so storages and observations are one snapshot.
    ///
    /// - Parameter query: Filters, page size and cursor.
    /// - Returns: The page.
    /// - Throws: ``StoreError``.
    public func listStorages(_ query: StorageQuery) async throws -> StoragePage {
        let filter = StorageFilterSQL(query)
        let pageSize = query.effectivePageSize
        return try await self.reader.read { transaction in
            let total =
                try await transaction.row(
                    "SELECT COUNT(*) AS count FROM storages s WHERE \(filter.clause)",
                    filter.binds
                )?.int64("count") ?? 0

            var clause = filter.clause
            var binds = filter.binds
            if let cursor = query.cursor {
                clause += " AND s.id > ?"
                binds.append(.int64(cursor.afterID))
            }
            // One extra row tells whether another page follows.
            let rows = try await transaction.rows(
                """
                SELECT \(StorageColumns.select), \(JobColumns.observationSelect)
                FROM storages s
                LEFT JOIN jobs j
                    ON j.id = s.last_sync_job AND j.storage_id = s.id AND s.status IN ('queued', 'in_progress')
                LEFT JOIN workers w ON w.worker_id = j.worker_id
                WHERE \(clause)
                ORDER BY s.id
                LIMIT ?
                """,
                binds + [.int(pageSize + 1)]
            )
            return try StoragePage(rows: rows, pageSize: pageSize, totalCount: total)
        }
    }
}

/// The WHERE clause of a ``StorageQuery``'s filters (not its cursor), over table alias `s`.
struct StorageFilterSQL {
    private(set) var clause = "1"
    private(set) var binds: [SQLiteData] = []

    init(_ query: StorageQuery) {
        if let projectID = query.projectID {
            self.add("s.project_id = ?", [.int64(projectID)])
        }
        self.addIn("s.kind", query.kinds.map(\.rawValue))
        self.addIn("s.provider", query.providers.map(\.rawValue))
        self.addIn("s.status", query.statuses.map(\.rawValue))
        if let text = query.titleContains, !text.isEmpty {
            // instr over lower(): a plain substring test, no LIKE wildcards to escape.
            self.add("instr(lower(s.title), lower(?)) > 0", [.text(text)])
        }
    }

    private mutating func add(_ condition: String, _ values: [SQLiteData]) {
        self.clause += " AND " + condition
        self.binds += values
    }

    private mutating func addIn(_ column: String, _ values: [String]) {
        guard !values.isEmpty else { return }
        let sorted = values.sorted()
        let placeholders = Array(repeating: "?", count: sorted.count).joined(separator: ", ")
        self.add("\(column) IN (\(placeholders))", sorted.map { .text($0) })
    }
}
