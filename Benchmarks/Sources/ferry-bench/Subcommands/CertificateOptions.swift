import ArgumentParser
import Foundation

/// `--certs`, the dev PKI's directory, for the subcommands that start servers themselves.
struct CertificateOptions: ParsableArguments {
    @Option(help: "Certificate directory; made with deploy/certs/ferry-certs.sh if incomplete.")
    var certs = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-bench-certs").path

    /// The certificates in `--certs`, made there first if incomplete.
    ///
    /// - Throws: ``BenchError`` when they cannot be made.
    func ensure() throws -> BenchCertificates {
        try BenchCertificates.ensure(directory: certs)
    }
}
