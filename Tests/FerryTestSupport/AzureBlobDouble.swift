import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat

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
    public var port: Int { server.port }
    /// `http://127.0.0.1:PORT/ACCOUNT`: the `endpoint_url` of a storage in it.
    public var endpointURL: String { "http://127.0.0.1:\(port)/\(account)" }
    private let server: LoopbackServerProcess
    private let directory: String

    /// A fixed test account key (64 bytes, base64).
    public static let testAccountKey = Data((0..<64).map { UInt8(truncatingIfNeeded: $0 * 7 + 3) }).base64EncodedString()

    private init(account: String, accountKey: String, server: LoopbackServerProcess, directory: String) {
        self.account = account
        self.accountKey = accountKey
        self.server = server
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
        let configPath = directory + "/config.json"
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: configPath))
        do {
            let server = try await LoopbackServerProcess.start(
                name: "azure-blob-double", executable: "/usr/bin/env", patience: .seconds(30)
            ) { port in ["python3", TestPKI.repositoryRoot + "/scripts/azure-blob-double.py", configPath, String(port)] }
            return AzureBlobDouble(account: account, accountKey: accountKey, server: server, directory: directory)
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    /// Stops the double and removes its files.
    public func stop() {
        server.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// What the double logged so far (one line per request).
    public var log: String { server.log }

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
