import Foundation
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A real `redis-server` child on a free loopback port, without persistence, for the Redis
/// provider's tests. Started by ``start(arguments:tls:)``, which returns once the port accepts
/// connections; killed by ``stop()``. Test data goes in with ``load(_:)`` through `redis-cli
/// --pipe` as the `default` user, never through the client under test.
public final class RedisServerProcess: @unchecked Sendable {
    /// The port (the TLS port when started with TLS).
    public let port: Int
    /// The password of the `default` user, if the server requires one.
    public let password: String?
    /// The plain-text port, for ``load(_:)`` when the server also listens with TLS.
    private let plainPort: Int
    private let process: Process
    private let logPath: String

    /// TLS settings for a server: a certificate and key, and the CA that signed them.
    public struct TLSFiles: Sendable {
        /// The server certificate.
        public var certificate: String
        /// Its key.
        public var key: String
        /// The CA certificate.
        public var ca: String

        /// Creates the settings.
        public init(certificate: String, key: String, ca: String) {
            self.certificate = certificate
            self.key = key
            self.ca = ca
        }
    }

    private init(port: Int, plainPort: Int, password: String?, process: Process, logPath: String) {
        self.port = port
        self.plainPort = plainPort
        self.password = password
        self.process = process
        self.logPath = logPath
    }

    /// Starts a server and waits until its port accepts connections.
    ///
    /// - Parameters:
    ///   - password: A `requirepass` for the `default` user, or `nil` for none.
    ///   - arguments: More configuration, e.g. `["--user", "alice", "on", ">secret", "~*", "+@all"]`.
    ///   - tls: Listen with TLS on ``port`` (and without on a second port, for loading data).
    /// - Returns: The running server.
    /// - Throws: ``RedisServerProcess/Failure`` when `redis-server` is missing or does not come up.
    public static func start(password: String? = nil, arguments: [String] = [], tls: TLSFiles? = nil) async throws
        -> RedisServerProcess
    {
        let binary = "/usr/bin/redis-server"
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw Failure(message: "redis-server is not installed; run scripts/install-deps.sh")
        }
        var lastLog = ""
        for _ in 0..<3 {
            let plainPort = try await LoopbackPort.free()
            let tlsPort = tls == nil ? plainPort : try await LoopbackPort.free()
            var configuration = [
                "--port", "\(plainPort)", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--daemonize", "no",
            ]
            if let password { configuration += ["--requirepass", password] }
            if let tls {
                configuration += [
                    "--tls-port", "\(tlsPort)", "--tls-cert-file", tls.certificate, "--tls-key-file", tls.key,
                    "--tls-ca-cert-file", tls.ca, "--tls-auth-clients", "no",
                ]
            }
            let logPath = FileManager.default.temporaryDirectory
                .appendingPathComponent("ferry-redis-\(UUID().uuidString).log").path
            _ = FileManager.default.createFile(atPath: logPath, contents: nil)
            let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = configuration + arguments
            process.standardOutput = log
            process.standardError = log
            try TestProcesses.run(process)
            try? log.close()
            let server = RedisServerProcess(
                port: tlsPort, plainPort: plainPort, password: password, process: process, logPath: logPath)
            if try await server.waitForPorts([plainPort, tlsPort]) { return server }
            lastLog = server.log
            server.stop()
        }
        throw Failure(message: "redis-server did not start:\n\(lastLog)")
    }

    /// What the server wrote so far.
    public var log: String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }

    /// Runs commands as the `default` user with `redis-cli --pipe` (the keys go to database 0
    /// unless a command `SELECT`s another).
    ///
    /// - Parameter commands: Each command as its name and arguments.
    /// - Throws: ``RedisServerProcess/Failure`` when a command was refused.
    public func load(_ commands: [[String]]) async throws {
        var script = Data()
        for command in [["SELECT", "0"]] + commands {
            script.append(Data("*\(command.count)\r\n".utf8))
            for part in command {
                script.append(Data("$\(part.utf8.count)\r\n".utf8))
                script.append(Data(part.utf8))
                script.append(Data("\r\n".utf8))
            }
        }
        let cli = Process()
        cli.executableURL = URL(fileURLWithPath: "/usr/bin/redis-cli")
        cli.arguments = ["-h", "127.0.0.1", "-p", "\(plainPort)", "--no-auth-warning", "--pipe"]
            + (password.map { ["-a", $0] } ?? [])
        let input = TestProcesses.pipe()
        let output = TestProcesses.pipe()
        cli.standardInput = input
        cli.standardOutput = output
        cli.standardError = output
        try TestProcesses.run(cli)
        let (status, text) = try await TestProcesses.finish(
            cli, input: (input, script), reading: output, within: .seconds(300))
        guard status == 0, text.contains("errors: 0") else {
            throw Failure(message: "redis-cli --pipe failed: \(text)")
        }
    }

    /// Stops the server (`SIGSTOP`): connections stay open but nothing is answered.
    public func suspend() {
        kill(process.processIdentifier, SIGSTOP)
    }

    /// Kills the server (`SIGKILL`) and reaps it; removes its log.
    public func stop() {
        TestProcesses.reapKilled(process)
        try? FileManager.default.removeItem(atPath: logPath)
    }

    /// Polls until every port accepts a TCP connection and the server has said it is ready, or
    /// the process has exited.
    private func waitForPorts(_ ports: [Int]) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(20)
        var waiting = Set(ports)
        while ContinuousClock.now < deadline, process.isRunning {
            for port in waiting {
                let connected = try? await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .connect(host: "127.0.0.1", port: port).get()
                if let connected {
                    try? await connected.close()
                    waiting.remove(port)
                }
            }
            // Another test's server may hold a port handed out twice: the port answering is ours
            // only once our process says it listens (it exits when it cannot bind).
            if waiting.isEmpty, log.contains("Ready to accept connections") { return process.isRunning }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    /// Why a server could not be started or loaded.
    public struct Failure: Error, CustomStringConvertible {
        /// What happened.
        public var message: String
        /// The message.
        public var description: String { message }
    }
}
