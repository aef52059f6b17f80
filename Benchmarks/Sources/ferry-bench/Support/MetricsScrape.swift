import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Reads samples from a `/metrics` endpoint (Prometheus text) on 127.0.0.1, with one blocking
/// HTTP/1.0 request: enough for a benchmark that reads a counter after a phase.
enum MetricsScrape {
    /// The endpoint's whole text.
    ///
    /// - Parameter port: The metrics port on 127.0.0.1.
    /// - Throws: ``BenchError`` when it cannot be read.
    static func text(port: Int) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BenchError("socket() failed: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw BenchError("connecting to the metrics port \(port) failed: errno \(errno)") }
        let request = Array("GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == request.count else {
            throw BenchError("writing the metrics request failed: errno \(errno)")
        }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        // Bounded: HTTP/1.0, so the server closes the connection after its reply.
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            response += buffer[0..<count]
        }
        let text = String(decoding: response, as: UTF8.self)
        guard let body = text.range(of: "\r\n\r\n") else { throw BenchError("the metrics reply had no body") }
        return String(text[body.upperBound...])
    }

    /// The sum of the samples of `name` whose labels include every one of `labels`
    /// (`role="server"`); 0 when there is none.
    static func sum(_ name: String, labels: [String] = [], in text: String) -> Double {
        text.split(separator: "\n").reduce(0) { total, line in
            guard line.hasPrefix(name + "{") || line.hasPrefix(name + " "),
                labels.allSatisfy({ line.contains($0) }),
                let value = line.split(separator: " ").last.flatMap({ Double($0) })
            else { return total }
            return total + value
        }
    }
}
