#if canImport(Glibc)
import Glibc
#endif

/// What a burst of TCP connections that never start TLS costs a `ferryd` in memory: its RSS
/// before, with them open, and after they closed (whether the memory is given back).
struct SilentConnectionsResult: Sendable {
    /// Connections asked for.
    var requested: Int
    /// Connections the client opened.
    var opened: Int
    /// Server RSS and descriptors before the burst.
    var before: (resident: Int, files: Int)
    /// The same with the connections accepted and RSS settled.
    var open: (resident: Int, files: Int)
    /// The same once they closed and RSS settled again.
    var closed: (resident: Int, files: Int)
    /// Whether both waits settled within their limits.
    var settled: Bool

    /// Server RSS growth per open connection.
    var bytesPerConnection: Double? {
        opened > 0 ? Double(open.resident - before.resident) / Double(opened) : nil
    }
}

/// Opens plain TCP connections to a server process that send nothing, and watches its memory.
enum SilentConnections {
    /// Opens `count` connections, reads the server's RSS once it accepted them all, closes them
    /// and reads it again once it settles.
    ///
    /// The reading with the connections open must come before ferryd's TLS handshake timeout
    /// (10 s) closes them, so it waits at most `openLimit`.
    ///
    /// - Parameters:
    ///   - pid: The server process.
    ///   - port: Its port on 127.0.0.1.
    ///   - count: Connections to open.
    ///   - openLimit: How long to wait for the server to accept them and settle.
    ///   - closeLimit: How long to wait for it to settle after they closed.
    /// - Returns: The result.
    static func measure(pid: Int32, port: Int, count: Int, openLimit: Duration, closeLimit: Duration) async
        -> SilentConnectionsResult
    {
        let before = await settle(pid: pid, files: 0..., steadyFor: 4, limit: .seconds(10)).reading
        let descriptors = connect(port: port, count: count)
        let (open, openSettled) = await settle(
            pid: pid, files: (before.files + descriptors.count)..., steadyFor: 2, limit: openLimit)
        descriptors.forEach { close($0) }
        // Long enough steady that a trim the server runs a moment after the burst is seen.
        let (closed, closedSettled) = await settle(
            pid: pid, files: 0...(before.files + 16), steadyFor: 8, limit: closeLimit)
        return SilentConnectionsResult(
            requested: count, opened: descriptors.count, before: before, open: open, closed: closed,
            settled: openSettled && closedSettled)
    }

    /// Blocking connects to 127.0.0.1 (they complete in the kernel's backlog); stops at the first failure.
    private static func connect(port: Int, count: Int) -> [Int32] {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var descriptors: [Int32] = []
        descriptors.reserveCapacity(count)
        for _ in 0..<count {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { break }
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard connected == 0 else {
                close(fd)
                break
            }
            descriptors.append(fd)
        }
        return descriptors
    }

    /// Polls every 250 ms until the descriptor count is in `files` and RSS moved by less than
    /// 0.2 % over `steadyFor` consecutive polls, or `limit` passes.
    private static func settle(
        pid: Int32, files: some RangeExpression<Int>, steadyFor: Int, limit: Duration
    ) async -> (reading: (resident: Int, files: Int), settled: Bool) {
        func read() -> (resident: Int, files: Int) {
            (ProcFS.residentBytes(pid: pid) ?? 0, ProcFS.openFileCount(pid: pid) ?? 0)
        }
        let deadline = ContinuousClock.now + limit
        var previous = read()
        var steady = 0
        // Bounded by the deadline.
        while ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(250))
            let current = read()
            let moved = abs(Double(current.resident - previous.resident))
            steady = files.contains(current.files) && moved <= Double(previous.resident) * 0.002 ? steady + 1 : 0
            previous = current
            if steady >= steadyFor { return (current, true) }
        }
        return (previous, false)
    }
}
