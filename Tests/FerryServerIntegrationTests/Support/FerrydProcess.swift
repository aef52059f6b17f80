import FerryProto
import FerryRPC
import FerryServices
import FerryTLS
import FerryTestSupport
import FerryTransport
import Foundation
import NIOCore
import NIOPosix
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A `ferryd` child process on a fixed set of files (database, secrets key, tokens), restartable.
final class FerrydProcess: @unchecked Sendable {
    let directory: String
    let localFilesRoot: String
    /// Names its log files (`<name>-<n>.log`), so replicas on one directory never share one.
    let name: String
    let staleAfterSeconds: Double
    private let lock = NSLock()
    private var process: Process?
    private var starts = 0
    private(set) var port = 0

    let pingIntervalSeconds: Double
    /// What `--shutdown-grace-period-seconds` ferryd gets.
    let gracePeriodSeconds: Double
    /// `RLIMIT_NOFILE` (soft and hard) for the child, set with `prlimit`; `nil` inherits ours.
    let descriptorLimit: Int?
    /// More command-line settings, after the ones every test needs.
    let extraArguments: [String]
    /// A PostgreSQL database (`--database-url`) instead of the SQLite file in `directory`.
    let databaseURL: String?
    /// Who asks Health.Check whether the child is ready (a certificate when mTLS is required).
    let readinessIdentity: FerryTestServer.Identity
    /// How long to wait for a child to become ready; generous, the machine may be loaded.
    static let patience = Duration.seconds(20)

    init(
        staleAfterSeconds: Double, pingIntervalSeconds: Double = 0.1, gracePeriodSeconds: Double = 10,
        descriptorLimit: Int? = nil, extraArguments: [String] = [], readinessIdentity: FerryTestServer.Identity = .anonymous,
        databaseURL: String? = nil
    ) throws {
        self.databaseURL = databaseURL
        self.pingIntervalSeconds = pingIntervalSeconds
        self.gracePeriodSeconds = gracePeriodSeconds
        self.descriptorLimit = descriptorLimit
        self.extraArguments = extraArguments
        self.readinessIdentity = readinessIdentity
        name = "ferryd"
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("ferry-crash-\(UUID().uuidString)").path
        localFilesRoot = directory + "/files"
        self.staleAfterSeconds = staleAfterSeconds
        try FileManager.default.createDirectory(atPath: localFilesRoot, withIntermediateDirectories: true)
        let tokens = BearerTokenRegistry.line(forToken: FerryTestServer.adminToken, role: .admin, name: "ops") + "\n"
        try tokens.write(toFile: directory + "/tokens", atomically: true, encoding: .utf8)
        // The secrets key the primary and its replicas share (on PostgreSQL none may make its own).
        let key = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        try (key + "\n").write(toFile: directory + "/key", atomically: true, encoding: .utf8)
    }

    /// A second `ferryd` on the same files (database, secrets key, tokens, local files) and
    /// settings as `primary`: a replica sharing its state.
    init(replicaOf primary: FerrydProcess, name: String) {
        self.databaseURL = primary.databaseURL
        self.pingIntervalSeconds = primary.pingIntervalSeconds
        self.gracePeriodSeconds = primary.gracePeriodSeconds
        self.descriptorLimit = primary.descriptorLimit
        self.extraArguments = primary.extraArguments
        self.readinessIdentity = primary.readinessIdentity
        self.directory = primary.directory
        self.localFilesRoot = primary.localFilesRoot
        self.staleAfterSeconds = primary.staleAfterSeconds
        self.name = name
    }

    /// `.build/<config>/<name>`, next to the test bundle, or under the repository.
    static func executable(_ name: String = "ferryd") throws -> String {
        let fileManager = FileManager.default
        var candidates: [String] = []
        for start in [CommandLine.arguments.first ?? "", Bundle.main.bundlePath, Bundle.main.executablePath ?? ""]
        where !start.isEmpty {
            var url = URL(fileURLWithPath: start).standardizedFileURL
            for _ in 0..<4 {
                url = url.deletingLastPathComponent()
                candidates.append(url.appendingPathComponent(name).path)
            }
        }
        candidates.append(TestPKI.repositoryRoot + "/.build/debug/" + name)
        for candidate in candidates {
            var isDirectory: ObjCBool = false
            if fileManager.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue,
                fileManager.isExecutableFile(atPath: candidate)
            {
                return candidate
            }
        }
        Issue.record("\(name) not found (build it with `swift build`); looked at \(candidates)")
        throw CancellationError()
    }

    /// Starts ferryd and waits until Health.Check answers: on a fresh port, or on the port of the
    /// previous start when `samePort` (a restart that clients must find again).
    func start(samePort: Bool = false) async throws {
        let binary = try Self.executable()
        let pki = TestPKI.shared
        var lastFailure = ""
        for _ in 0..<3 {
            let previous = lock.withLock { self.port }
            let port = samePort && previous != 0 ? previous : try await LoopbackPort.free()
            starts += 1
            let logPath = directory + "/\(name)-\(starts).log"
            _ = FileManager.default.createFile(atPath: logPath, contents: nil)
            let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            var arguments = [
                "--listen", "127.0.0.1:\(port)",
                "--secrets-key-file", directory + "/key",
                "--tls-cert", pki.serverCertificate,
                "--tls-key", pki.serverKey,
                "--tls-ca", pki.caPath,
                "--auth-tokens-file", directory + "/tokens",
                "--storage-local-files-root", localFilesRoot,
                "--sync-ping-interval-seconds", "\(pingIntervalSeconds)",
                "--sync-stale-after-seconds", "\(staleAfterSeconds)",
                "--shutdown-grace-period-seconds", "\(gracePeriodSeconds)",
                "--log-level", "debug",
            ] + (databaseURL.map { ["--database-url", $0] } ?? ["--database-path", directory + "/ferry.db"]) + extraArguments
            if let descriptorLimit {
                // prlimit sets the limit on itself and execs ferryd: the pid stays ferryd's.
                process.executableURL = URL(fileURLWithPath: "/usr/bin/prlimit")
                arguments = ["--nofile=\(descriptorLimit):\(descriptorLimit)", "--", binary] + arguments
            }
            process.arguments = arguments
            process.standardOutput = log
            process.standardError = log
            try TestProcesses.run(process)
            try? log.close()
            lock.withLock {
                self.process = process
                self.port = port
            }
            let ready = try await waitUntil(timeout: Self.patience, every: .milliseconds(100)) {
                guard process.isRunning else { return true }
                return (try? await self.withClient(self.readinessIdentity) { client in
                    try await client.unary(
                        FerryV1.Methods.Health.check, FerryV1.HealthCheckRequest(),
                        as: FerryV1.HealthCheckResponse.self)
                }) != nil
            }
            if ready && process.isRunning { return }
            lastFailure = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            kill9()
        }
        Issue.record("ferryd did not become ready:\n\(lastFailure)")
        throw CancellationError()
    }

    /// What the latest ferryd process wrote so far (its standard output and error).
    var log: String {
        (try? String(contentsOfFile: directory + "/\(name)-\(lock.withLock { starts }).log", encoding: .utf8)) ?? ""
    }

    /// Whether the current process is alive.
    var isRunning: Bool { lock.withLock { process?.isRunning ?? false } }

    /// The running child's process id.
    var pid: Int32? { lock.withLock { process?.processIdentifier } }

    /// `kill -9`, then reaps the process.
    func kill9() {
        guard let process = lock.withLock({ self.process }) else { return }
        TestProcesses.reapKilled(process)
        lock.withLock { self.process = nil }
    }

    /// SIGTERM (graceful), then reaps the process; fails if it did not exit cleanly within two
    /// minutes (and kills it then).
    func stop() async {
        guard let process = lock.withLock({ self.process }) else { return }
        let status = await TestProcesses.stop(process, with: SIGTERM, within: .seconds(120))
        lock.withLock { self.process = nil }
        #expect(status == 0, "ferryd exit status \(status.map(String.init) ?? "none: killed after 120 s")")
    }

    /// Kills any child still running and removes the files.
    func cleanUp() {
        kill9()
        if ProcessInfo.processInfo.environment["FERRY_KEEP_CRASH_DIR"] == nil {
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    func localStorageRequest(name: String) -> FerryV1.CreateStorageRequest {
        FerryV1.CreateStorageRequest(
            spec: FerryV1.StorageSpec(
                projectID: CrashRecoveryTests.projectID, title: name, kind: .import, provider: .local,
                synchronizable: true, local: FerryV1.LocalLocation(path: localFilesRoot + "/" + name)))
    }

    func createLocalStorage(name: String) async throws -> FerryV1.Storage {
        try FileManager.default.createDirectory(
            atPath: localFilesRoot + "/" + name, withIntermediateDirectories: true)
        return try await withClient(.admin) { admin in
            try #require(try await admin.createStorage(localStorageRequest(name: name)).storage)
        }
    }

    /// A client of the current process (see ``FerryTestServer/withClient(_:_:)``).
    func withClient<Result: Sendable>(
        _ identity: FerryTestServer.Identity,
        _ body: (FerryClient) async throws -> Result
    ) async throws -> Result {
        let credentials = identity.credentials
        let tls = try TLSContext(configuration: .client(
            trustRootsPath: TestPKI.shared.caPath, certificateChainPath: credentials.certificate,
            privateKeyPath: credentials.key, applicationProtocols: [FerryProtocol.alpn]))
        let transport = FerryClientTransport(
            host: "127.0.0.1", port: lock.withLock { port }, serverHostname: "localhost", tls: tls,
            configuration: ClientTransportConfiguration())
        do {
            let result = try await body(FerryClient(rpc: RPCClient(transport: transport), metadata: credentials.metadata))
            await transport.close()
            return result
        } catch {
            await transport.close()
            throw error
        }
    }
}
