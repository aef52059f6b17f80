import FerryCore

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
/// directories are not entered, so a link cannot escape the root or make a loop. Subdirectories
/// are opened relative to their parent with `O_NOFOLLOW`, so a directory swapped for a link
/// during the walk is refused rather than followed.
///
/// Blocking: run it on a thread pool. Not thread-safe: one caller at a time.
final class DirectoryWalker {
    /// A file the walker found.
    struct File {
        /// The path relative to the walk's start, with `/` separators.
        var relativePath: String
        /// Its size in bytes, if it was looked up (links, file systems without `d_type`, and
        /// every file of a walk that stats files).
        var size: Int64?
        /// When it was last modified, if it was looked up.
        var modified: FerryTime?
    }

    private struct Level {
        var handle: OpaquePointer
        /// The level's path relative to the start, without a trailing `/` (empty at the top).
        var relativePath: String
    }

    private let start: String
    private let boundary: RootBoundary
    private let recursive: Bool
    private let statsFiles: Bool
    private var levels: [Level] = []
    private var opened = false

    /// Creates a walker; nothing is opened until the first ``next()``.
    ///
    /// - Parameters:
    ///   - start: The absolute directory to list.
    ///   - boundary: The real path every followed link must stay under.
    ///   - recursive: Whether to descend into subdirectories.
    ///   - statsFiles: Whether every regular file is looked up for its size and modification
    ///     time (one `fstatat` relative to its open directory); otherwise only where `d_type`
    ///     does not tell a file from a directory.
    init(start: String, boundary: RootBoundary, recursive: Bool, statsFiles: Bool = false) {
        self.start = start
        self.boundary = boundary
        self.recursive = recursive
        self.statsFiles = statsFiles
    }

    deinit {
        for level in levels { closedir(level.handle) }
    }

    /// The next regular file, or `nil` when the walk is done.
    ///
    /// - Throws: ``ProviderError`` when the start directory or a subdirectory cannot be opened
    ///   or read; a listing is never silently cut short.
    func next() throws(ProviderError) -> File? {
        if !opened {
            opened = true
            try push(name: nil)
        }
        while let level = levels.last {
            errno = 0
            guard let entry = readdir(level.handle) else {
                let failure = errno
                closedir(level.handle)
                levels.removeLast()
                guard failure == 0 else {
                    throw ProviderError(
                        subject: level.relativePath.isEmpty ? start : level.relativePath,
                        message: "cannot list: \(String(cString: strerror(failure)))"
                    )
                }
                continue
            }
            let name = Self.name(of: entry)
            if name == "." || name == ".." { continue }
            let relative = level.relativePath.isEmpty ? name : level.relativePath + "/" + name
            switch Self.kind(of: entry, named: name, in: level.handle, lookUp: statsFiles) {
            case .file(let size, let modified):
                return File(relativePath: relative, size: size, modified: modified)
            case .link:
                if let info = followLink(start + "/" + relative) {
                    return File(relativePath: relative, size: Int64(info.st_size), modified: Self.modified(info))
                }
            case .directory where recursive:
                try push(name: name)
            case .directory, .other:
                continue
            }
        }
        return nil
    }

    /// Opens the start directory (`name == nil`) or a subdirectory of the deepest open level.
    private func push(name: String?) throws(ProviderError) {
        let parent = levels.last
        var relativePath = ""
        let descriptor: Int32
        if let name, let parent {
            relativePath = parent.relativePath.isEmpty ? name : parent.relativePath + "/" + name
            descriptor = openat(dirfd(parent.handle), name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        } else {
            descriptor = open(start, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        }
        let subject = relativePath.isEmpty ? start : relativePath
        guard descriptor >= 0 else {
            throw ProviderError(subject: subject, message: "cannot list: \(String(cString: strerror(errno)))")
        }
        guard let handle = fdopendir(descriptor) else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw ProviderError(subject: subject, message: "cannot list: \(reason)")
        }
        levels.append(Level(handle: handle, relativePath: relativePath))
    }

    private enum Kind {
        case file(size: Int64?, modified: FerryTime?)
        case directory
        case link
        case other
    }

    private static func kind(
        of entry: UnsafeMutablePointer<dirent>, named name: String, in directory: OpaquePointer, lookUp: Bool
    ) -> Kind {
        switch Int32(entry.pointee.d_type) {
        case Int32(DT_DIR): return .directory
        case Int32(DT_LNK): return .link
        case Int32(DT_REG) where !lookUp:
            return .file(size: nil, modified: nil)  // No stat per file: the reader checks the size when it opens it.
        case Int32(DT_REG), Int32(DT_UNKNOWN):
            var info = stat()
            // Relative to the open directory: no path walk, and a link is not followed.
            guard fstatat(dirfd(directory), name, &info, AT_SYMLINK_NOFOLLOW) == 0 else {
                return .other
            }
            switch info.st_mode & S_IFMT {
            case S_IFREG: return .file(size: Int64(info.st_size), modified: modified(info))
            case S_IFDIR: return .directory
            case S_IFLNK: return .link
            default: return .other
            }
        default: return .other
        }
    }

    /// The status of the regular file a link resolves to, if it stays under the boundary.
    private func followLink(_ path: String) -> stat? {
        guard let target = boundary.resolveInside(path) else { return nil }
        var info = stat()
        guard stat(target, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        return info
    }

    /// A file's modification time, to the microsecond.
    private static func modified(_ info: stat) -> FerryTime {
        FerryTime(unixMicroseconds: Int64(info.st_mtim.tv_sec) * 1_000_000 + Int64(info.st_mtim.tv_nsec) / 1_000)
    }

    private static func name(of entry: UnsafeMutablePointer<dirent>) -> String {
        withUnsafePointer(to: &entry.pointee.d_name) { pointer in
            pointer.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
        }
    }
}
