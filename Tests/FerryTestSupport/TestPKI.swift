import Foundation

/// Test certificates, made once per test process by `deploy/certs/ferry-certs.sh` in a
/// temporary directory: a Ferry CA with a server and two worker certificates, and a second,
/// unrelated CA with a client certificate that Ferry must refuse.
public struct TestPKI: Sendable {
    /// Where the files are.
    public let directory: String

    /// The Ferry CA certificate.
    public var caPath: String { "\(directory)/ca/ca.pem" }
    /// The server certificate (localhost, 127.0.0.1).
    public var serverCertificate: String { "\(directory)/server.pem" }
    /// Its key.
    public var serverKey: String { "\(directory)/server.key" }
    /// A worker client certificate (`ferry://worker/worker-1`).
    public var workerCertificate: String { "\(directory)/worker-1.pem" }
    /// Its key.
    public var workerKey: String { "\(directory)/worker-1.key" }
    /// A second worker's certificate (`ferry://worker/worker-2`), from the same CA.
    public var secondWorkerCertificate: String { "\(directory)/worker-2.pem" }
    /// Its key.
    public var secondWorkerKey: String { "\(directory)/worker-2.key" }
    /// A client certificate from an unrelated CA.
    public var foreignCertificate: String { "\(directory)/foreign/intruder.pem" }
    /// Its key.
    public var foreignKey: String { "\(directory)/foreign/intruder.key" }
    /// The unrelated CA.
    public var foreignCAPath: String { "\(directory)/foreign/ca.pem" }

    /// The certificates of this test process, made on first use.
    public static let shared: TestPKI = {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("ferry-test-pki-\(ProcessInfo.processInfo.processIdentifier)").path
        let script = repositoryRoot + "/deploy/certs/ferry-certs.sh"
        run(script, ["dev", directory])
        run(script, ["client", directory, "--ca", "\(directory)/ca", "--name", "worker-2"])
        run(script, ["ca", "\(directory)/foreign", "--name", "Foreign CA"])
        run(script, ["client", "\(directory)/foreign", "--ca", "\(directory)/foreign", "--name", "intruder"])
        return TestPKI(directory: directory)
    }()

    /// The repository's top directory.
    public static var repositoryRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
    }

    private static func run(_ script: String, _ arguments: [String]) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script] + arguments
        process.standardOutput = FileHandle.nullDevice
        do {
            try TestProcesses.run(process)
        } catch {
            fatalError("Could not run \(script): \(error)")
        }
        process.waitUntilExit()
        precondition(process.terminationStatus == 0, "\(script) \(arguments) failed")
    }
}
