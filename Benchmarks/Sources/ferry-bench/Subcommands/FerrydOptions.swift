import ArgumentParser

/// The options of the subcommands that measure a real `ferryd` child (`server-load`, `import`):
/// which binary, which certificates, which database, and its `--sync-stale-after-seconds`.
struct FerrydOptions: ParsableArguments {
    @Option(help: "The ferryd executable (default: .build/release/ferryd of the repository).")
    var ferryd: String?

    @OptionGroup var certificates: CertificateOptions

    @Option(help: "ferryd's --sync-stale-after-seconds (long, so nothing goes stale during the run).")
    var staleAfter = 600.0

    @Option(help: "A PostgreSQL database for ferryd (--database-url; it should be empty) instead of a fresh SQLite file.")
    var databaseURL: String?

    /// `--ferryd`, else `.build/release/ferryd` of the repository.
    ///
    /// - Throws: ``BenchError`` when there is none.
    func executable() throws -> String {
        try ferryd ?? ChildProcess.defaultExecutable("ferryd")
    }
}
