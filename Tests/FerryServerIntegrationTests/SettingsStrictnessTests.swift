import FerryTestSupport
import Foundation
import Testing

/// ferryd, ferry-worker and ferryctl refuse settings nobody reads (flags, file keys, variables
/// of their namespace), and name the setting, with exit status 2, instead of starting on a default.
@Suite(.timeLimit(.minutes(2)))
struct SettingsStrictnessTests {
    /// Runs an executable to its end; returns its exit status and standard error (with standard
    /// output interleaved when `includingOutput`).
    static func run(
        _ program: String, _ arguments: [String], environment: [String: String] = [:], includingOutput: Bool = false
    ) async throws -> (status: Int32?, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try FerrydProcess.executable(program))
        process.arguments = arguments
        process.environment = TestProcesses.childEnvironment.merging(environment) { $1 }
        let errors = TestProcesses.pipe()
        process.standardError = errors
        process.standardOutput = includingOutput ? errors : FileHandle.nullDevice
        try TestProcesses.run(process)
        let (status, text) = try await TestProcesses.finish(process, reading: errors, within: .seconds(60))
        return (status, text)
    }

    static var tls: [String] {
        let pki = TestPKI.shared
        return ["--tls-cert", pki.serverCertificate, "--tls-key", pki.serverKey, "--tls-ca", pki.caPath]
    }

    @Test func aMisspeltFlagIsRefused() async throws {
        let (status, stderr) = try await Self.run("ferryd", Self.tls + ["--lisen", "127.0.0.1:1"])
        #expect(status == 2)
        #expect(stderr.contains("--lisen (did you mean --listen?)"), "\(stderr)")
        let worker = try await Self.run("ferry-worker", ["--sever", "127.0.0.1:1"])
        #expect(worker.status == 2)
        #expect(worker.stderr.contains("--sever (did you mean --server?)"), "\(worker.stderr)")
        let ferryctl = try await Self.run("ferryctl", ["health", "--sever", "127.0.0.1:1"])
        #expect(ferryctl.status == 2)
        #expect(ferryctl.stderr.contains("--sever") && ferryctl.stderr.contains("--server"), "\(ferryctl.stderr)")
    }

    @Test func anUnknownVariableInTheProgramsNamespaceIsRefused() async throws {
        let server = try await Self.run("ferryd", Self.tls, environment: ["FERRY_TLS_CLIENT_AUHT": "none"])
        #expect(server.status == 2)
        #expect(server.stderr.contains("'FERRY_TLS_CLIENT_AUHT'"), "\(server.stderr)")
        #expect(server.stderr.contains("did you mean FERRY_TLS_CLIENT_AUTH?"), "\(server.stderr)")
        let worker = try await Self.run("ferry-worker", [], environment: ["FERRY_WORKER_MAXJOBS": "4"])
        #expect(worker.status == 2)
        #expect(worker.stderr.contains("did you mean FERRY_WORKER_MAX_JOBS?"), "\(worker.stderr)")
        let ferryctl = try await Self.run("ferryctl", ["health"], environment: ["FERRYCTL_SEVER": "127.0.0.1:1"])
        #expect(ferryctl.status == 2)
        #expect(ferryctl.stderr.contains("FERRYCTL_SEVER (did you mean FERRYCTL_SERVER?)"), "\(ferryctl.stderr)")
    }

    @Test func aWorkerThatWouldOfferNoProviderRefusesToStart() async throws {
        let pki = TestPKI.shared
        let tls = ["--tls-ca", pki.caPath, "--tls-cert", pki.workerCertificate, "--tls-key", pki.workerKey]
        let local = try await Self.run("ferry-worker", tls + ["--worker-providers", "local"])
        #expect(local.status == 2)
        #expect(local.stderr.contains("worker.providers") && local.stderr.contains("storage.localFilesRoot"), "\(local.stderr)")
        let none = try await Self.run("ferry-worker", tls + ["--worker-providers", " , "])
        #expect(none.status == 2)
        #expect(none.stderr.contains("names no provider"), "\(none.stderr)")
        let unknown = try await Self.run("ferry-worker", tls + ["--worker-providers", "s3,s4"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("unknown provider 's4'"), "\(unknown.stderr)")
    }

    @Test func anUnknownKeyInTheConfigurationFileIsRefused() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ferryd-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(#"{"listen": "127.0.0.1:1", "tls": {"clientAuht": "none"}}"#.utf8).write(to: URL(fileURLWithPath: path))
        let (status, stderr) = try await Self.run("ferryd", Self.tls + ["--config", path])
        #expect(status == 2)
        #expect(stderr.contains("tls.clientAuht") && stderr.contains("did you mean tls.clientAuth?"), "\(stderr)")
        let ferryctlFile = FileManager.default.temporaryDirectory.appendingPathComponent("ferryctl-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: ferryctlFile) }
        try Data(#"{"sever": "127.0.0.1:1"}"#.utf8).write(to: ferryctlFile)
        let ferryctl = try await Self.run("ferryctl", ["health", "--config", ferryctlFile.path])
        #expect(ferryctl.status == 2)
        #expect(ferryctl.stderr.contains("unknown key 'sever' (did you mean server?)"), "\(ferryctl.stderr)")
    }

    @Test func aMissingTLSFileAndARelativeRootNameTheirSettings() async throws {
        let pki = TestPKI.shared
        let missing = try await Self.run(
            "ferryd", ["--tls-cert", "/nonexistent/server.pem", "--tls-key", pki.serverKey, "--tls-ca", pki.caPath])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("tls.cert"), "\(missing.stderr)")
        let relative = try await Self.run("ferryd", Self.tls + ["--storage-local-files-root", "data/files"])
        #expect(relative.status == 2)
        #expect(relative.stderr.contains("storage.localFilesRoot"), "\(relative.stderr)")
    }

    @Test func aKeepaliveTimeThatIsNotPositiveNamesItsSetting() async throws {
        let server = try await Self.run("ferryd", Self.tls + ["--keepalive-interval-seconds", "0"])
        #expect(server.status == 2)
        #expect(server.stderr.contains("keepalive.intervalSeconds"), "\(server.stderr)")
        let pki = TestPKI.shared
        let worker = try await Self.run(
            "ferry-worker",
            ["--tls-ca", pki.caPath, "--tls-cert", pki.workerCertificate, "--tls-key", pki.workerKey,
             "--keepalive-timeout-seconds", "0"])
        #expect(worker.status == 2)
        #expect(worker.stderr.contains("keepalive.timeoutSeconds"), "\(worker.stderr)")
    }

    @Test func postgresSettingsRefuseAFlagPasswordABadURLAndAMissingSharedKey() async throws {
        let url = "postgres://ferry:url-secret@127.0.0.1:1/ferry?sslmode=disable"
        let flag = try await Self.run("ferryd", Self.tls + ["--database-url", url, "--database-password", "flag-secret"])
        #expect(flag.status == 2)
        #expect(flag.stderr.contains("database.password") && !flag.stderr.contains("flag-secret"), "\(flag.stderr)")

        let badURL = try await Self.run("ferryd", Self.tls + ["--database-url", "mysql://ferry:url-secret@db/ferry"])
        #expect(badURL.status == 2)
        #expect(badURL.stderr.contains("database.url") && !badURL.stderr.contains("url-secret"), "\(badURL.stderr)")

        let noKey = try await Self.run("ferryd", Self.tls + ["--database-url", url])
        #expect(noKey.status == 2)
        #expect(noKey.stderr.contains("secrets.keyFile"), "\(noKey.stderr)")
        let missing = "/nonexistent/\(UUID().uuidString).key"
        let absent = try await Self.run("ferryd", Self.tls + ["--database-url", url, "--secrets-key-file", missing])
        #expect(absent.status == 2)
        #expect(absent.stderr.contains("does not exist"), "\(absent.stderr)")
        #expect(!FileManager.default.fileExists(atPath: missing))
        #expect(!(flag.stderr + badURL.stderr + noKey.stderr + absent.stderr).contains("url-secret"))
    }
}
