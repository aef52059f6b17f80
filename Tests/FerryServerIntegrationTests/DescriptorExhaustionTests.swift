import FerryProto
import FerryRPC
import FerryTLS
import FerryTestSupport
import FerryTransport
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue 9, item 8: a `ferryd` out of file descriptors pauses accepting instead of spinning,
/// keeps serving the connections it has, and accepts again once descriptors are free.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct DescriptorExhaustionTests {
    static let limit = 128

    @Test func outOfDescriptorsFerrydServesExistingConnectionsWithoutSpinningAndAcceptsAgainLater() async throws {
        let daemon = try FerrydProcess(staleAfterSeconds: 10, descriptorLimit: Self.limit)
        defer { daemon.cleanUp() }
        try await daemon.start()
        let pid = try #require(daemon.pid)
        let existing = try Self.healthClient(port: daemon.port)
        #expect(try await Self.check(existing.client) == .serving)

        // Twice as many connections as descriptors: ferryd accepts until it runs out, the
        // rest wait in the backlog.
        let flood = try RawConnections(port: daemon.port, count: 2 * Self.limit)
        defer { flood.closeAll() }
        let exhausted = try await waitUntil(timeout: .seconds(20)) {
            Self.openDescriptors(pid) >= Self.limit - 2
        }
        try #require(exhausted, "ferryd holds \(Self.openDescriptors(pid)) descriptors")

        // A measuring window, not a wait: a busy accept loop would burn most of a core.
        let cpuBefore = try Self.cpuSeconds(pid)
        let windowStart = ContinuousClock.now
        try await Task.sleep(for: .seconds(2))
        let cpu = try Self.cpuSeconds(pid) - cpuBefore
        let window = ContinuousClock.now - windowStart
        #expect(cpu < 0.25 * Double(window.components.seconds), "ferryd used \(cpu) s of CPU in \(window)")

        let asked = ContinuousClock.now
        #expect(try await Self.check(existing.client) == .serving)
        #expect(ContinuousClock.now - asked < .seconds(1), "a health check on an existing connection waited")

        flood.closeAll()
        let accepting = try await waitUntil(timeout: .seconds(10)) {
            (try? await daemon.withClient(.anonymous) { try await Self.check($0) }) == .serving
        }
        #expect(accepting, "ferryd did not accept a new connection after descriptors were freed")
        await existing.transport.close()
    }

    // MARK: Helpers

    private static func healthClient(port: Int) throws -> (client: FerryClient, transport: FerryClientTransport) {
        let tls = try TLSContext(configuration: .client(
            trustRootsPath: TestPKI.shared.caPath, applicationProtocols: [FerryProtocol.alpn]))
        let transport = FerryClientTransport(
            host: "127.0.0.1", port: port, serverHostname: "localhost", tls: tls,
            configuration: ClientTransportConfiguration())
        return (FerryClient(rpc: RPCClient(transport: transport), metadata: [:]), transport)
    }

    private static func check(_ client: FerryClient) async throws -> FerryV1.ServingStatus {
        try await client.unary(
            FerryV1.Methods.Health.check, FerryV1.HealthCheckRequest(), as: FerryV1.HealthCheckResponse.self
        ).status
    }

    private static func openDescriptors(_ pid: Int32) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? 0
    }

    /// utime + stime of a process, from `/proc/PID/stat`.
    private static func cpuSeconds(_ pid: Int32) throws -> Double {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        let fields = try #require(stat.split(separator: ")").last).split(separator: " ")
        let ticks = (Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)
        return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}

/// Plain TCP connections that never say anything, held until closed.
private final class RawConnections: Sendable {
    private let descriptors: Mutex<[Int32]>

    init(port: Int, count: Int) throws {
        var descriptors: [Int32] = []
        for _ in 0..<count {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
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
                close(fd)
                descriptors.forEach { close($0) }
                throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
            }
            descriptors.append(fd)
        }
        self.descriptors = Mutex(descriptors)
    }

    /// Closes every connection; later calls do nothing.
    func closeAll() {
        descriptors.withLock { descriptors in
            descriptors.forEach { close($0) }
            descriptors = []
        }
    }
}
