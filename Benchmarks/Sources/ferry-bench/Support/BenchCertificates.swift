import FerryTLS
import Foundation

/// The development PKI the benchmark runs with, as made by `deploy/certs/ferry-certs.sh dev DIR`:
/// a CA, the server certificate (localhost, 127.0.0.1) and the `worker-1` client certificate.
struct BenchCertificates: Sendable {
    /// The directory given to `ferry-certs.sh dev`.
    let directory: String

    var caPath: String { "\(directory)/ca/ca.pem" }
    var serverCertificate: String { "\(directory)/server.pem" }
    var serverKey: String { "\(directory)/server.key" }
    var workerCertificate: String { "\(directory)/worker-1.pem" }
    var workerKey: String { "\(directory)/worker-1.key" }

    /// Whether every file the benchmark reads is there.
    var isComplete: Bool {
        [caPath, serverCertificate, serverKey, workerCertificate, workerKey].allSatisfy {
            FileManager.default.fileExists(atPath: $0)
        }
    }

    /// Uses `directory`, first making the PKI there with `ferry-certs.sh` if it is incomplete.
    ///
    /// - Parameter directory: Where the certificates are, or are to be made.
    /// - Returns: The certificates.
    /// - Throws: ``BenchError`` when the script cannot be found or fails.
    static func ensure(directory: String) throws -> BenchCertificates {
        let certificates = BenchCertificates(directory: directory)
        if certificates.isComplete { return certificates }
        let script = try scriptPath()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script, "dev", directory]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0, certificates.isComplete else {
            throw BenchError("\(script) dev \(directory) failed with status \(process.terminationStatus)")
        }
        return certificates
    }

    /// Finds `deploy/certs/ferry-certs.sh`: next to these sources, else above the working directory.
    private static func scriptPath() throws -> String {
        let relative = "deploy/certs/ferry-certs.sh"
        guard let found = RepositoryPath.find(relative, where: { FileManager.default.isExecutableFile(atPath: $0) || FileManager.default.fileExists(atPath: $0) }) else {
            throw BenchError("Cannot find \(relative); run from the repository or pass --certs with existing certificates")
        }
        return found
    }

    /// The server's TLS context: client certificates optional, ALPN `ferry/1`, session tickets
    /// (as `ferryd` issues them by default) under a secret of this process.
    func serverContext() throws -> TLSContext {
        try TLSContext(
            configuration: .server(
                certificateChainPath: serverCertificate,
                privateKeyPath: serverKey,
                trustRootsPath: caPath,
                clientCertificateVerification: .optional,
                applicationProtocols: [BenchAPI.alpn],
                sessionTickets: .init(keySecret: (0..<32).map { _ in UInt8.random(in: 0...255) }, lifetime: .seconds(3600))
            )
        )
    }

    /// A client TLS context presenting the worker certificate; with `resumesSessions`, each
    /// connection offers the newest ticket an earlier one received.
    func clientContext(resumesSessions: Bool = true) throws -> TLSContext {
        try TLSContext(
            configuration: .client(
                trustRootsPath: caPath,
                certificateChainPath: workerCertificate,
                privateKeyPath: workerKey,
                applicationProtocols: [BenchAPI.alpn],
                resumesSessions: resumesSessions
            )
        )
    }
}

/// A benchmark failure with a message for the operator.
struct BenchError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
