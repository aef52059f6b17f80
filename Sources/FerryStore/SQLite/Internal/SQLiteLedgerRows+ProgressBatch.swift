import FerryCore
import SQLiteNIO

/// A batch of progress writes in a few statements: each one is a round trip to SQLite's thread,
/// which costs more than the row it touches.
extension SQLiteLedgerRows: ProgressBatchRows {
    /// Bound values per statement at most (SQLite allows 32,766).
    private static let maximumBinds = 30_000

    func leaseRows(jobIDs: [String]) async throws -> [String: JobLeaseRow] {
        var rows: [String: JobLeaseRow] = [:]
        for chunk in jobIDs.chunked(by: Self.maximumBinds) {
            let sql = "SELECT id, \(JobLeaseRow.select) FROM jobs WHERE id IN (\(Self.placeholders(chunk.count)))"
            for row in try await transaction.rows(sql, chunk.map { .text($0) }) {
                rows[try row.string("id")] = try JobLeaseRow(row: row)
            }
        }
        return rows
    }

    func syncStates(storageIDs: [Int64]) async throws -> [Int64: StorageSyncState] {
        var states: [Int64: StorageSyncState] = [:]
        for chunk in storageIDs.chunked(by: Self.maximumBinds) {
            let sql = """
                SELECT s.id AS id, s.kind AS kind, s.provider AS provider, \(SyncInfoColumns.select)
                FROM storages s WHERE s.id IN (\(Self.placeholders(chunk.count)))
                """
            for row in try await transaction.rows(sql, chunk.map { .int64($0) }) {
                states[try row.int64("id")] = StorageSyncState(
                    kind: try row.rawEnum("kind", as: StorageKind.self),
                    provider: try row.rawEnum("provider", as: StorageProvider.self),
                    info: try SyncInfoColumns.syncInfo(from: row)
                )
            }
        }
        return states
    }

    /// Only the columns that changed, one statement per set of them (a heartbeat's progress
    /// changes the ping time and some counters): a column left out of `SET` leaves the indexes
    /// on it alone, where writing the status again would rewrite its entry in `storages_active`.
    func writeSyncInfos(_ changes: [(storageID: Int64, before: SyncInfo, after: SyncInfo)]) async throws {
        var groups: [[Int]: [(storageID: Int64, values: [ColumnValue])]] = [:]
        for change in changes {
            let before = SyncInfoColumns.binds(change.before)
            let after = SyncInfoColumns.binds(change.after)
            let changed = after.indices.filter { after[$0] != before[$0] }
            guard !changed.isEmpty else { continue }
            groups[changed, default: []].append((change.storageID, changed.map { after[$0] }))
        }
        for (indices, rows) in groups {
            let columns = indices.map { SyncInfoColumns.names[$0] }
            let assignments = columns.map { "\($0) = v.\($0)" }.joined(separator: ", ")
            for chunk in rows.chunked(by: Self.maximumBinds / (columns.count + 1)) {
                try await transaction.execute(
                    """
                    WITH v(id, \(columns.joined(separator: ", "))) AS (VALUES \(Self.tuples(chunk.count, width: columns.count + 1)))
                    UPDATE storages SET \(assignments) FROM v WHERE storages.id = v.id
                    """,
                    chunk.flatMap { [.int64($0.storageID)] + $0.values.map { SQLiteData($0) } }
                )
            }
        }
    }

    func recordJobProgress(_ times: [(jobID: String, time: FerryTime)]) async throws {
        for chunk in times.chunked(by: Self.maximumBinds / 2) {
            try await transaction.execute(
                """
                WITH v(id, t) AS (VALUES \(Self.tuples(chunk.count, width: 2)))
                UPDATE jobs SET last_progress_at = v.t FROM v WHERE jobs.id = v.id
                """,
                chunk.flatMap { [.text($0.jobID), .time($0.time)] }
            )
        }
    }

    /// `?, ?, …` (`count` of them).
    private static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ", ")
    }

    /// `(?, ?), (?, ?), …`: `count` tuples of `width` placeholders.
    private static func tuples(_ count: Int, width: Int) -> String {
        Array(repeating: "(\(placeholders(width)))", count: count).joined(separator: ", ")
    }
}

fileprivate extension Array {
    /// The elements in consecutive slices of at most `size` (at least one per slice).
    func chunked(by size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: Swift.max(1, size)).map { self[$0..<Swift.min($0 + Swift.max(1, size), count)] }
    }
}
