import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A local stand-in for the Azure Blob service (scripts/azure-blob-double.py) on a free
/// 127.0.0.1 port, for the tests of Ferry's Azure provider: in-memory containers behind an
/// Azurite-style endpoint (`http://127.0.0.1:PORT/ACCOUNT`), serving List Blobs (paged by
/// marker), Get, Put and Delete Blob.
///
/// It checks every request's Shared Key signature (or SAS) with the official SDK's own signing
/// code, not Ferry's, and answers 403 `AuthenticationFailed` on a mismatch, 404
/// `ContainerNotFound` or `BlobNotFound` for what it does not hold.
public final class AzureBlobDouble: @unchecked Sendable {
    /// The storage account it serves.
    public let account: String
    /// The account key it checks signatures with (base64).
    public let accountKey: String
    /// The port it listens on.
    public let port: Int
    /// `http://127.0.0.1:PORT/ACCOUNT`: the `endpoint_url` of a storage in it.
    public var endpointURL: String { "http://127.0.0.1:\(port)/\(account)" }
    private let process: Process
    private let directory: String

    /// A fixed test account key (64 bytes, base64).
    public static let testAccountKey = Data((0..<64).map { UInt8(truncatingIfNeeded: $0 * 7 + 3) }).base64EncodedString()

    private init(account: String, accountKey: String, port: Int, process: Process, directory: String) {
        self.account = account
        self.accountKey = accountKey
        self.port = port
        self.process = process
        self.directory = directory
    }

    deinit {
        stop()
    }

    /// Starts a double holding `containers` and waits until it listens.
    ///
    /// - Parameters:
    ///   - account: The storage account.
    ///   - accountKey: The account key (base64).
    ///   - sasToken: A SAS token it accepts in place of a signature, if any.
    ///   - containers: Container name → blob name → content.
    public static func start(
        account: String = "ferrytest",
        accountKey: String = AzureBlobDouble.testAccountKey,
        sasToken: String? = nil,
        containers: [String: [String: [UInt8]]]
    ) async throws -> AzureBlobDouble {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-azure-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let config: [String: Any] = [
            "account": account, "accountKey": accountKey, "sasToken": sasToken ?? NSNull(),
            "containers": containers.mapValues { $0.mapValues { Data($0).base64EncodedString() } },
        ]
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: directory + "/config.json"))
        let logPath = directory + "/double.log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        let stdout = Pipe()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", TestPKI.repositoryRoot + "/scripts/azure-blob-double.py", directory + "/config.json"]
        process.standardOutput = stdout
        process.standardError = log
        try process.run()
        try? log.close()
        // The script prints its port once it listens; end of file means it died.
        let firstLine = try await NIOThreadPool.singleton.runIfActive { () -> String in
            var line: [UInt8] = []
            while let byte = try stdout.fileHandleForReading.read(upToCount: 1)?.first, byte != UInt8(ascii: "\n") {
                line.append(byte)
            }
            return String(decoding: line, as: UTF8.self)
        }
        guard let port = Int(firstLine) else {
            process.waitUntilExit()
            let output = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            try? FileManager.default.removeItem(atPath: directory)
            throw AzureBlobDoubleError(description: "azure-blob-double.py did not start:\n\(output)")
        }
        return AzureBlobDouble(account: account, accountKey: accountKey, port: port, process: process, directory: directory)
    }

    /// Stops the double (SIGKILL, then waits) and removes its files. Not SIGTERM: a child
    /// started from a test thread inherits that thread's blocked signals, SIGTERM among them.
    public func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// What the double logged so far (one line per request).
    public var log: String { (try? String(contentsOfFile: directory + "/double.log", encoding: .utf8)) ?? "" }

    /// Every blob it holds now: container → blob name → content.
    public func contents() async throws -> [String: [String: [UInt8]]] {
        let document = try await helper("state", as: [String: [String: String]].self)
        return document.mapValues { $0.mapValues { [UInt8](Data(base64Encoded: $0) ?? Data()) } }
    }

    /// One request the double served.
    public struct ServedRequest: Decodable, Sendable {
        /// `GET`, `PUT`, `DELETE`.
        public var method: String
        /// The path as received (percent-encoded).
        public var path: String
        /// The query, decoded.
        public var query: [String: String]
    }

    /// Every request it served so far, in order (the test helpers' own excluded).
    public func requests() async throws -> [ServedRequest] {
        try await helper("requests", as: [ServedRequest].self)
    }

    private func helper<T: Decodable>(_ name: String, as type: T.Type) async throws -> T {
        let response = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: "http://127.0.0.1:\(port)/__double/\(name)"), timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 64 * 1024 * 1024)
        return try JSONDecoder().decode(T.self, from: Data(buffer: body))
    }
}

/// The double failed to start.
public struct AzureBlobDoubleError: Error, CustomStringConvertible {
    /// What failed, with the double's output.
    public var description: String
}
