import FerryTestSupport
import Foundation
import Testing

/// `ferryctl completion bash|zsh|fish` prints a completion script that knows ferryctl's commands
/// and exits 0, and each shell that is installed here accepts its script's syntax.
@Suite(.timeLimit(.minutes(2)))
struct FerryctlCompletionTests {
    /// Each shell and the flag that has it read a script without running it.
    static let syntaxChecks = ["bash": "-n", "zsh": "-n", "fish": "--no-execute"]

    @Test(arguments: ["bash", "zsh", "fish"])
    func printsAScriptTheShellAccepts(shell: String) async throws {
        let (status, script) = try await SettingsStrictnessTests.run("ferryctl", ["completion", shell], includingOutput: true)
        #expect(status == 0, "\(script)")
        for word in ["storage", "describe", "completion", "dataset"] {
            #expect(script.contains(word), "\(shell) script names \(word)")
        }
        guard let program = Self.installed(shell) else { return }  // zsh and fish may not be installed.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ferryctl-\(UUID().uuidString).\(shell)")
        try Data(script.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let (checked, errors) = try await TestProcesses.runToEnd(
            program, [Self.syntaxChecks[shell]!, file.path], within: .seconds(30))
        #expect(checked == 0, "\(shell) refuses the script: \(errors)")
    }

    @Test func theGenerateFlagWorksThroughFerryctlsOwnMain() async throws {
        let (status, script) = try await SettingsStrictnessTests.run(
            "ferryctl", ["--generate-completion-script", "bash"], includingOutput: true)
        #expect(status == 0, "\(script)")
        #expect(script.contains("describe"))
    }

    @Test func anUnknownShellIsAUsageError() async throws {
        let (status, errors) = try await SettingsStrictnessTests.run("ferryctl", ["completion", "tcsh"])
        #expect(status == 2, "\(errors)")
    }

    /// The shell's executable on `PATH`, if there is one.
    static func installed(_ shell: String) -> String? {
        (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
            .map { "\($0)/\(shell)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
