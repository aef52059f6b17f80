import Foundation

/// Test certificates, made once per test process by `deploy/certs/ferry-certs.sh` in a
/// temporary directory: a Ferry CA with a server and a worker certificate, and a second,
/// unrelated CA with a client certificate that Ferry must refuse.
struct TestPKI: Sendable {
    let directory: String

    var caPath: String { "\(directory)/ca/ca.pem" }
    var serverCertificate: String { "\(directory)/server.pem" }
    var serverKey: String { "\(directory)/server.key" }
    var workerCertificate: String { "\(directory)/worker-1.pem" }
    var workerKey: String { "\(directory)/worker-1.key" }
    var foreignCertificate: String { "\(directory)/foreign/intruder.pem" }
    var foreignKey: String { "\(directory)/foreign/intruder.key" }
    var foreignCAPath: String { "\(directory)/foreign/ca.pem" }

    static let shared: TestPKI = {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("ferry-test-pki-\(ProcessInfo.processInfo.processIdentifier)").path
        let script = repositoryRoot + "/deploy/certs/ferry-certs.sh"
        run(script, ["dev", directory])
        run(script, ["ca", "\(directory)/foreign", "--name", "Foreign CA"])
        run(script, ["client", "\(directory)/foreign", "--ca", "\(directory)/foreign", "--name", "intruder"])
        return TestPKI(directory: directory)
    }()

    static var repositoryRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().path
    }

    private static func run(_ script: String, _ arguments: [String]) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script] + arguments
        process.standardOutput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            fatalError("Could not run \(script): \(error)")
        }
        process.waitUntilExit()
        precondition(process.terminationStatus == 0, "\(script) \(arguments) failed")
    }
}
