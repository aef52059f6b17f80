#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Walks a directory tree with `opendir`/`readdir`, yielding regular files as it finds them.
///
/// Memory stays bounded however many files there are: the walker holds one open directory per
/// level of depth and never the listing itself. Order is the file system's (`readdir` order).
/// Symbolic links are followed only to regular files that resolve inside `boundary`; linked
/// directories are not entered, so a link cannot escape the root or make a loop.
///
/// Blocking: run it on a thread pool. Not thread-safe: one caller at a time.
final class DirectoryWalker {
    /// A file the walker found.
    struct File {
        /// The path relative to the walk's start, with `/` separators.
        var relativePath: String
        /// Its size in bytes.
        var size: Int64
    }

    private struct Level {
        var handle: OpaquePointer
        /// The level's path relative to the start, without a trailing `/` (empty at the top).
        var relativePath: String
    }

    private let start: String
    private let boundary: String
    private let recursive: Bool
    private var levels: [Level] = []
    private var opened = false

    /// Creates a walker; nothing is opened until the first ``next()``.
    ///
    /// - Parameters:
    ///   - start: The absolute directory to list.
    ///   - boundary: The real path every followed link must stay under.
    ///   - recursive: Whether to descend into subdirectories.
    init(start: String, boundary: String, recursive: Bool) {
        self.start = start
        self.boundary = boundary
        self.recursive = recursive
    }

    deinit {
        for level in levels { closedir(level.handle) }
    }

    /// The next regular file, or `nil` when the walk is done.
    ///
    /// - Throws: ``ImportSourceError`` when the start directory or a subdirectory cannot be opened.
    func next() throws(ImportSourceError) -> File? {
        if !opened {
            opened = true
            try push(relativePath: "")
        }
        while let level = levels.last {
            guard let entry = readdir(level.handle) else {
                closedir(level.handle)
                levels.removeLast()
                continue
            }
            let name = Self.name(of: entry)
            if name == "." || name == ".." { continue }
            let relative = level.relativePath.isEmpty ? name : level.relativePath + "/" + name
            let absolute = start + "/" + relative
            switch Self.kind(of: entry, at: absolute) {
            case .file(let size):
                return File(relativePath: relative, size: size)
            case .link:
                if let size = followLink(absolute) {
                    return File(relativePath: relative, size: size)
                }
            case .directory where recursive:
                try push(relativePath: relative)
            case .directory, .other:
                continue
            }
        }
        return nil
    }

    private func push(relativePath: String) throws(ImportSourceError) {
        let path = relativePath.isEmpty ? start : start + "/" + relativePath
        guard let handle = opendir(path) else {
            let reason = String(cString: strerror(errno))
            throw ImportSourceError(subject: relativePath.isEmpty ? start : relativePath, message: "cannot list: \(reason)")
        }
        levels.append(Level(handle: handle, relativePath: relativePath))
    }

    private enum Kind {
        case file(size: Int64)
        case directory
        case link
        case other
    }

    private static func kind(of entry: UnsafeMutablePointer<dirent>, at path: String) -> Kind {
        switch Int32(entry.pointee.d_type) {
        case Int32(DT_DIR): return .directory
        case Int32(DT_LNK): return .link
        case Int32(DT_REG), Int32(DT_UNKNOWN):
            var info = stat()
            guard lstat(path, &info) == 0 else { return .other }
            switch info.st_mode & S_IFMT {
            case S_IFREG: return .file(size: Int64(info.st_size))
            case S_IFDIR: return .directory
            case S_IFLNK: return .link
            default: return .other
            }
        default: return .other
        }
    }

    /// The size of the regular file a link resolves to, if it stays under the boundary.
    private func followLink(_ path: String) -> Int64? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        let target = String(cString: resolved)
        guard target == boundary || target.hasPrefix(boundary == "/" ? "/" : boundary + "/") else { return nil }
        var info = stat()
        guard stat(target, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        return Int64(info.st_size)
    }

    private static func name(of entry: UnsafeMutablePointer<dirent>) -> String {
        withUnsafePointer(to: &entry.pointee.d_name) { pointer in
            pointer.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
        }
    }
}
