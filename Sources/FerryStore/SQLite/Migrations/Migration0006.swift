extension SQLiteMigration {
    /// The live queue, oldest first: ListJobs and its depth read the queued and running jobs by
    /// queue time without scanning the history of settled jobs.
    static let migration0006 = SQLiteMigration(
        version: 6,
        name: "live jobs by age",
        statements: [
            "CREATE INDEX jobs_live ON jobs (created_at, id) WHERE state IN ('queued', 'running')"
        ]
    )
}
