import FerryCore

/// The SQL of ``FerryStore/listJobs(_:)`` that both stores share, and the decoding of its rows.
enum JobListing {
    /// The queue's depth over all pages: queued and running counts and the oldest queue time.
    static let depthSQL = """
        SELECT COALESCE(SUM(CASE WHEN state = 'queued' THEN 1 ELSE 0 END), 0) AS queued,
            COALESCE(SUM(CASE WHEN state = 'running' THEN 1 ELSE 0 END), 0) AS running,
            MIN(CASE WHEN state = 'queued' THEN created_at END) AS oldest
        FROM jobs WHERE state IN ('queued', 'running')
        """

    /// A page's query up to its cursor condition. It always names both live states, the
    /// condition of the `jobs_live` index, so both databases read that index; one state asked for
    /// narrows it further. The states are the store's own fixed names, written into the text.
    static func pageSQL(_ query: JobQuery) -> String {
        var sql = "SELECT \(JobColumns.select) FROM jobs j WHERE j.state IN ('queued', 'running')"
        if query.listedStates.count == 1, let state = query.listedStates.first {
            sql += " AND j.state = '\(state.rawValue)'"
        }
        return sql
    }

    /// The order and the limit, before the limit's bind (one more than the page, to see whether
    /// another page follows).
    static let orderSQL = " ORDER BY j.created_at, j.id LIMIT "

    /// Decodes a page's rows (one past the page size at most) and the depth row.
    static func page(rows: [some StoredRow], pageSize: Int, depth: (some StoredRow)?) throws -> JobPage {
        let jobs = try rows.prefix(pageSize).map { try JobColumns.job(from: $0) }
        let next = rows.count > pageSize ? jobs.last.map { JobCursor(createdAt: $0.createdAt, jobID: $0.id) } : nil
        return JobPage(
            jobs: jobs,
            nextCursor: next,
            queuedCount: try depth?.int64("queued") ?? 0,
            runningCount: try depth?.int64("running") ?? 0,
            oldestQueuedAt: try depth?.optionalTime("oldest"))
    }
}
