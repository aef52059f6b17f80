#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The real, symlink-resolved directory that local files must stay under; paths are resolved
/// with `realpath` and compared by whole components, so `/data2` is not under `/data`.
struct RootBoundary: Sendable {
    /// The root's real path.
    let path: String

    /// Resolves the root itself.
    ///
    /// - Parameter root: The configured root.
    /// - Returns: `nil` when it does not exist.
    init?(resolving root: String) {
        guard let real = Self.realPath(root) else { return nil }
        self.path = real
    }

    /// Whether a real path is the root or lies under it.
    func contains(_ realPath: String) -> Bool {
        realPath == path || realPath.hasPrefix(path == "/" ? "/" : path + "/")
    }

    /// The real path of `path` if it exists and resolves inside the root.
    func resolveInside(_ path: String) -> String? {
        guard let real = Self.realPath(path), contains(real) else { return nil }
        return real
    }

    /// `realpath(3)`, or `nil` when the path does not resolve.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
