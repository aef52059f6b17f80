import FerryCrypto
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A real `ferryd` child process (release build of the root package) for `server-load` and
/// `import`: its own temporary database, local-files root and tokens file with a fresh admin token,
/// listening on 127.0.0.1 with the dev certificates; ready once it logged `ferryd listening`.
final class FerrydProcess: Sendable {
    /// The running executable: pid, command line, CPU time, memory, log.
    let child: ChildProcess
    /// The port it listens on, on 127.0.0.1.
    let port: Int
    /// The bearer token its tokens file makes admin.
    let adminToken: String
    /// The temporary directory holding its database, tokens file and local-files root.
    let directory: String
    /// The local-files root storages must stay under.
    var localFilesRoot: String { directory + "/files" }

    /// The binary and arguments it was started with, for ``standby()``.
    private let executable: String
    private let arguments: [String]

    private init(child: ChildProcess, port: Int, adminToken: String, directory: String, executable: String, arguments: [String]) {
        self.child = child
        self.port = port
        self.adminToken = adminToken
        self.directory = directory
        self.executable = executable
        self.arguments = arguments
    }

    /// Starts `ferryd` and waits until it listens.
    ///
    /// - Parameters:
    ///   - executable: The `ferryd` binary.
    ///   - certificates: The dev PKI (server certificate, CA).
    ///   - pingInterval: `--sync-ping-interval-seconds`.
    ///   - staleAfter: `--sync-stale-after-seconds` (long, so nothing goes stale during the run).
    ///   - databaseURL: A PostgreSQL database (`--database-url`); `nil` for a SQLite file in the
    ///     temporary directory.
    ///   - extraArguments: More command-line arguments (`--metrics-listen …`).
    ///   - timeout: How long it may take to listen.
    /// - Returns: The running server.
    /// - Throws: ``BenchError`` when it exits or stays silent.
    static func launch(
        executable: String,
        certificates: BenchCertificates,
        pingInterval: Double,
        staleAfter: Double,
        databaseURL: String? = nil,
        extraArguments: [String] = [],
        timeout: Duration = .seconds(60)
    ) async throws -> FerrydProcess {
        let adminToken = "ferry-bench-" + SecureRandom.hexToken(byteCount: 16)
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("ferry-bench-ferryd-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory + "/files/inbox", withIntermediateDirectories: true)
        let tokenLine = "sha256:\(SHA256.hexDigest(adminToken)) admin bench"
        try Data((tokenLine + "\n").utf8).write(to: URL(fileURLWithPath: directory + "/tokens"))
        try Data((SecureRandom.hexToken(byteCount: 32) + "\n").utf8).write(to: URL(fileURLWithPath: directory + "/secrets.key"))
        let port = try freePort()
        let arguments = [
            "--listen", "127.0.0.1:\(port)",
            "--tls-cert", certificates.serverCertificate,
            "--tls-key", certificates.serverKey,
            "--tls-ca", certificates.caPath,
            "--secrets-key-file", directory + "/secrets.key",
            "--auth-tokens-file", directory + "/tokens",
            "--storage-local-files-root", directory + "/files",
            "--sync-ping-interval-seconds", String(pingInterval),
            "--sync-stale-after-seconds", String(staleAfter),
            "--log-level", "info",
        ] + (databaseURL.map { ["--database-url", $0] } ?? ["--database-path", directory + "/ferry.db"]) + extraArguments
        let child = try await ChildProcess.launch(
            "ferryd", executable: executable, arguments: arguments, readyLine: "ferryd listening", readiness: "listened",
            timeout: timeout, grace: .seconds(20))
        return FerrydProcess(
            child: child, port: port, adminToken: adminToken, directory: directory, executable: executable, arguments: arguments)
    }

    /// A second `ferryd` with the same arguments, database and port, spawned now and held until
    /// ``killAndRelaunch(standby:timeout:)`` (spawning later, with thousands of connections
    /// open, crashes Foundation's `Process`).
    func standby() throws -> ChildProcess {
        try ChildProcess.standby("ferryd", executable: executable, arguments: arguments, grace: .seconds(20))
    }

    /// Kills the server with SIGKILL (no shutdown of any kind, like an OOM kill) and lets
    /// `standby` run in its place; returns once it listens.
    ///
    /// - Parameters:
    ///   - standby: From ``standby()``.
    ///   - timeout: How long the new process may take to listen.
    /// - Returns: The new process.
    /// - Throws: ``BenchError`` when it exits or stays silent.
    func killAndRelaunch(standby: ChildProcess, timeout: Duration = .seconds(60)) async throws -> FerrydProcess {
        child.killNow()
        try await standby.open(readyLine: "ferryd listening", readiness: "listened", timeout: timeout)
        return FerrydProcess(
            child: standby, port: port, adminToken: adminToken, directory: directory, executable: executable, arguments: arguments)
    }

    /// Stops the child (see ``ChildProcess/stop()``), removes the temporary directory, and says
    /// how the child ended.
    func stop() async -> String {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        return await child.stop()
    }

    /// A port on 127.0.0.1 that nothing listens on right now (bound to port 0, then released).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BenchError("socket() failed: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw BenchError("bind() failed: errno \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw BenchError("getsockname() failed: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
