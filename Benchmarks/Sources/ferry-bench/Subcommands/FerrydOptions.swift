import ArgumentParser

/// The options of the subcommands that measure a real `ferryd` child (`server-load`, `import`):
/// which binary, which certificates, and its `--sync-stale-after-seconds`.
struct FerrydOptions: ParsableArguments {
    @Option(help: "The ferryd executable (default: .build/release/ferryd of the repository).")
    var ferryd: String?

    @OptionGroup var certificates: CertificateOptions

    @Option(help: "ferryd's --sync-stale-after-seconds (long, so nothing goes stale during the run).")
    var staleAfter = 600.0

    /// `--ferryd`, else `.build/release/ferryd` of the repository.
    ///
    /// - Throws: ``BenchError`` when there is none.
    func executable() throws -> String {
        try ferryd ?? ChildProcess.defaultExecutable("ferryd")
    }
}
