import FerryTestSupport
import Foundation
import Testing

/// `ferryctl` against a real `ferryd` that requires client certificates: a certificate the
/// server refuses in the TLS handshake is "not allowed" (exit 4), not "unreachable" (exit 3).
@Suite(.timeLimit(.minutes(2)))
struct RefusedCertificateTests {
    @Test func aClientCertificateFromAForeignCAExitsFour() async throws {
        let daemon = try FerrydProcess(
            staleAfterSeconds: 10, extraArguments: ["--tls-client-auth", "required"], readinessIdentity: .worker)
        defer { daemon.cleanUp() }
        try await daemon.start()
        let pki = TestPKI.shared
        let connection = ["--server", "127.0.0.1:\(daemon.port)", "--server-name", "localhost", "--ca", pki.caPath]

        let foreign = try await SettingsStrictnessTests.run(
            "ferryctl", ["health"] + connection + ["--cert", pki.foreignCertificate, "--key", pki.foreignKey])
        #expect(foreign.status == 4, "\(foreign.stderr)")
        #expect(foreign.stderr.contains("UNAUTHENTICATED"), "\(foreign.stderr)")

        let none = try await SettingsStrictnessTests.run("ferryctl", ["health"] + connection)
        #expect(none.status == 4, "\(none.stderr)")

        let trusted = try await SettingsStrictnessTests.run(
            "ferryctl", ["health"] + connection + ["--cert", pki.workerCertificate, "--key", pki.workerKey])
        #expect(trusted.status == 0, "\(trusted.stderr)")
    }
}
