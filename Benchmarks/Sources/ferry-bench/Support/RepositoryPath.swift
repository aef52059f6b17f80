import Foundation

/// Finds files of the repository the benchmark belongs to (the root package's build products, its
/// scripts), wherever `ferry-bench` is run from.
enum RepositoryPath {
    /// The first place of `relative` (a path from the repository root) that `accept` takes: the
    /// repository these sources are in, else the working directory or one of its three parents.
    ///
    /// - Parameters:
    ///   - relative: The path below the repository root.
    ///   - accept: Whether a candidate path will do (exists, is executable).
    /// - Returns: The path, or `nil` when no candidate will do.
    static func find(_ relative: String, where accept: (String) -> Bool) -> String? {
        // Sources/ferry-bench/Support/ → Benchmarks/ → repository root.
        var candidates = [
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent(relative).path
        ]
        var directory = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        for _ in 0..<4 {
            candidates.append(directory.appendingPathComponent(relative).path)
            directory.deleteLastPathComponent()
        }
        return candidates.first(where: accept)
    }
}
