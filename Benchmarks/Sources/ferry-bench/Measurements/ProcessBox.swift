import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `Process` is a class Foundation does not mark `Sendable`; the benchmark only reads its state
/// and signals it, which Foundation does under its own lock.
final class ProcessBox: @unchecked Sendable {
    let value: Process

    init(_ value: Process) {
        self.value = value
    }

    /// Sends SIGTERM, waits up to `grace`, then SIGKILL; returns the exit status.
    ///
    /// - Parameters:
    ///   - name: The child, for the message when it has to be killed.
    ///   - grace: How long it gets to exit after SIGTERM.
    @discardableResult
    func terminate(name: String, grace: Duration) async -> Int32 {
        guard value.isRunning else { return value.terminationStatus }
        let pid = value.processIdentifier
        kill(pid, SIGTERM)
        let deadline = ContinuousClock.now + grace
        // Bounded by the grace period.
        while value.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if value.isRunning {
            FileHandle.standardError.write(Data("ferry-bench: \(name) ignored SIGTERM for \(grace); killing it\n".utf8))
            kill(pid, SIGKILL)
        }
        value.waitUntilExit()
        return value.terminationStatus
    }
}
