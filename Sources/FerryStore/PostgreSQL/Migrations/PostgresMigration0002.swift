extension PostgresMigration {
    /// The live queue, oldest first: ListJobs and its depth read the queued and running jobs by
    /// queue time without scanning the history of settled jobs (the SQLite store's migration 6).
    static let migration0002 = PostgresMigration(
        version: 2,
        name: "live jobs by age",
        statements: [
            "CREATE INDEX jobs_live ON jobs (created_at, id) WHERE state IN ('queued', 'running')"
        ]
    )
}
