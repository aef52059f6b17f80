import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Plain TCP connections that never say anything, held until closed.
final class RawConnections: Sendable {
    private let descriptors: Mutex<[Int32]>

    init(port: Int, count: Int) throws {
        var descriptors: [Int32] = []
        for _ in 0..<count {
            try Self.connectOne(port: port, opened: &descriptors)
        }
        self.descriptors = Mutex(descriptors)
    }

    /// Opens one connection and appends it; on failure closes all of `opened`.
    private static func connectOne(port: Int, opened descriptors: inout [Int32]) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else {
            let code = errno
            descriptors.forEach { close($0) }
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            let code = errno
            close(fd)
            descriptors.forEach { close($0) }
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
        }
        descriptors.append(fd)
    }

    /// Closes every connection; later calls do nothing.
    func closeAll() {
        descriptors.withLock { descriptors in
            descriptors.forEach { close($0) }
            descriptors = []
        }
    }
}
