import Foundation
import NIOPosix

/// A real moto S3 server (moto 5.2.1 from scripts/install-deps.sh, run by
/// scripts/moto-server.py) on a free 127.0.0.1 port, for the tests of Ferry's S3 provider.
///
/// By default authentication is enforced the way moto supports it: an IAM user allowed `s3:*`
/// and its access key are created while moto still accepts anything, then moto is told to
/// check every request (`/moto-api/reset-auth` with 0 free actions). From then on a request
/// signed with a wrong secret gets 403 `SignatureDoesNotMatch`, one with an unknown key 403
/// `InvalidAccessKeyId`. Setup and seeding go through boto3 (scripts/moto-fixture.py), the
/// reference client, never through Ferry's own code.
///
/// scripts/moto-server.py fixes one bug of moto's check: it recomputed signatures from the
/// percent-decoded URL, so it refused correctly signed requests (boto3's too) whose prefix,
/// delimiter or key needs encoding. One limit remains: with authentication enforced moto answers
/// 500 to presigned (query-signed) URLs, as it reads only the `Authorization` header, so
/// presigned downloads are tried on a server started with `enforcingAuthentication: false`.
public final class MotoServer: @unchecked Sendable {
    /// The port it listens on.
    public let port: Int
    /// `http://127.0.0.1:PORT`.
    public var endpointURL: String { "http://127.0.0.1:\(port)" }
    /// The access key id of the IAM user allowed `s3:*`.
    public let accessKeyID: String
    /// Its secret.
    public let secretAccessKey: String
    /// Whether requests must be signed with the key.
    public let enforcesAuthentication: Bool
    private let server: LoopbackServerProcess

    /// How long moto may take to start (Python imports are slow on a loaded machine).
    static let patience = Duration.seconds(60)

    private init(server: LoopbackServerProcess, accessKeyID: String, secretAccessKey: String, enforces: Bool) {
        self.port = server.port
        self.server = server
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.enforcesAuthentication = enforces
    }

    /// Starts a server and waits until it accepts connections and has its IAM user.
    ///
    /// - Parameter enforcingAuthentication: Turn moto's request authentication on.
    public static func start(enforcingAuthentication: Bool = true) async throws -> MotoServer {
        // Another test's process may take the free port between the check and moto's bind, so
        // that the listener found is not moto's: then the setup call fails and moto starts again.
        var attempt = 0
        while true {
            attempt += 1
            let server = try await LoopbackServerProcess.start(
                name: "moto", executable: "/usr/bin/env", patience: patience
            ) { port in
                ["python3", TestPKI.repositoryRoot + "/scripts/moto-server.py", "-H", "127.0.0.1", "-p", "\(port)"]
            }
            do {
                let setup = try await runFixture(
                    ["setup", "http://127.0.0.1:\(server.port)"] + (enforcingAuthentication ? ["--enforce-auth"] : []))
                let keys = try JSONDecoder().decode([String: String].self, from: Data(setup.utf8))
                return MotoServer(
                    server: server, accessKeyID: keys["accessKeyID"] ?? "", secretAccessKey: keys["secretAccessKey"] ?? "",
                    enforces: enforcingAuthentication)
            } catch where attempt < 3 {
                server.stop()
            }
        }
    }

    /// Stops the server and removes its log.
    public func stop() {
        server.stop()
    }

    /// What the server logged so far (one line per request).
    public var log: String { server.log }

    /// Creates a bucket with boto3.
    public func createBucket(_ bucket: String) async throws {
        _ = try await batch([["op": "create_bucket", "bucket": bucket]])
    }

    /// Puts objects with boto3.
    public func put(bucket: String, objects: [(key: String, bytes: [UInt8])]) async throws {
        _ = try await batch(objects.map { ["op": "put", "bucket": bucket, "key": $0.key, "body": Data($0.bytes).base64EncodedString()] })
    }

    /// An object's bytes read with boto3, or `nil` when there is no such key.
    public func get(bucket: String, key: String) async throws -> [UInt8]? {
        let results = try await batch([["op": "get", "bucket": bucket, "key": key]])
        return results.first.flatMap { $0 }.flatMap { Data(base64Encoded: $0) }.map { [UInt8]($0) }
    }

    private func batch(_ operations: [[String: String]]) async throws -> [String?] {
        let input = try JSONSerialization.data(withJSONObject: operations)
        let output = try await Self.runFixture(["batch", endpointURL, accessKeyID, secretAccessKey], input: input)
        return try JSONDecoder().decode([String?].self, from: Data(output.utf8))
    }

    /// How long scripts/moto-fixture.py may run: seeding 20,000 objects has taken more than five
    /// minutes while the other suites load both cores.
    private static let fixtureLimitSeconds = 600

    /// Runs scripts/moto-fixture.py (killed after ``fixtureLimitSeconds``); its standard output.
    private static func runFixture(_ arguments: [String], input: Data = Data()) async throws -> String {
        let script = TestPKI.repositoryRoot + "/scripts/moto-fixture.py"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script] + arguments
        let stdin = TestProcesses.pipe()
        let stdout = TestProcesses.pipe()
        let errors = FileManager.default.temporaryDirectory
            .appendingPathComponent("ferry-moto-fixture-\(UUID().uuidString).log").path
        _ = FileManager.default.createFile(atPath: errors, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errors) }
        let errorLog = try FileHandle(forWritingTo: URL(fileURLWithPath: errors))
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = errorLog
        try TestProcesses.run(process)
        try? errorLog.close()
        let (status, output) = try await TestProcesses.finish(
            process, input: (stdin, input), reading: stdout, within: .seconds(fixtureLimitSeconds))
        guard status == 0 else {
            let log = (try? String(contentsOfFile: errors, encoding: .utf8)) ?? ""
            let message = status == nil ? "it did not finish within \(fixtureLimitSeconds) s and was killed. \(log)" : log
            throw MotoError(message: "moto-fixture.py \(arguments.first ?? "") failed: \(message)")
        }
        return output
    }
}

/// The moto fixture failed.
public struct MotoError: Error, CustomStringConvertible {
    /// What failed, with moto's or the fixture's output.
    public var description: String { message }
    let message: String
}
