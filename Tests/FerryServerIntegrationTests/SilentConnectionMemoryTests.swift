import Foundation
import Testing

/// Issue 9, item 9: TCP connections that never start TLS cost `ferryd` little memory, and what a
/// burst of them cost is given back once they close.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct SilentConnectionMemoryTests {
    static let connections = 2_000

    @Test func aBurstOfSilentConnectionsCostsLittleAndItsMemoryIsReturned() async throws {
        let daemon = try FerrydProcess(staleAfterSeconds: 10)
        defer { daemon.cleanUp() }
        try await daemon.start()
        let pid = try #require(daemon.pid)
        let before = try await Self.steadyResidentBytes(pid)
        let descriptorsBefore = ProcessStats.openDescriptors(pid)

        let flood = try RawConnections(port: daemon.port, count: Self.connections)
        defer { flood.closeAll() }
        // ferryd closes connections without a handshake after 10 s: read well before that.
        let accepted = try await waitUntil(timeout: .seconds(6)) {
            ProcessStats.openDescriptors(pid) >= descriptorsBefore + Self.connections
        }
        try #require(accepted, "ferryd accepted \(ProcessStats.openDescriptors(pid) - descriptorsBefore) connections")
        let open = try await Self.steadyResidentBytes(pid)
        let perConnection = (open - before) / Self.connections
        // An SSL session made before the ClientHello, with OpenSSL's handshake buffers, was ~50 KiB.
        #expect(perConnection < 24 * 1024, "\(perConnection) bytes per silent connection")

        flood.closeAll()
        let closed = try await waitUntil(timeout: .seconds(10)) {
            ProcessStats.openDescriptors(pid) <= descriptorsBefore + 2
        }
        try #require(closed)
        // What the burst allocated goes back to the system (it used to stay resident).
        let returned = try await waitUntil(timeout: .seconds(15), every: .milliseconds(250)) {
            (try ProcessStats.residentBytes(pid)) - before <= 16 * 1024 * 1024
        }
        let after = try ProcessStats.residentBytes(pid)
        #expect(returned, "RSS \(before >> 20) MiB before, \(open >> 20) MiB open, \(after >> 20) MiB after closing")
    }

    /// RSS once two readings 250 ms apart differ by less than 1 %.
    private static func steadyResidentBytes(_ pid: Int32) async throws -> Int {
        var previous = try ProcessStats.residentBytes(pid)
        for _ in 0..<40 {
            try await Task.sleep(for: .milliseconds(250))
            let current = try ProcessStats.residentBytes(pid)
            if abs(current - previous) < previous / 100 { return current }
            previous = current
        }
        return previous
    }
}
