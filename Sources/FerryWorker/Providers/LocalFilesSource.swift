import FerryCore
public import NIOPosix

#if canImport(Glibc)
import Glibc

private let systemRead = Glibc.read
#elseif canImport(Darwin)
import Darwin

private let systemRead = Darwin.read
#endif

/// The `local` provider's import side: files in a directory under the worker's local-files root.
///
/// Keys are paths relative to the storage's directory (`local.path`), so `regex_filter` matches
/// `sub/file.json`. The storage's `prefix`, when set, is a subdirectory to list and stays part of
/// the keys. The directory must resolve (symlinks included) inside the root. Listing and reading
/// block, so both run on NIO's thread pool, a page or a batch per hop.
public struct LocalFilesSource: ImportSource {
    private let directory: String
    private let listingStart: String
    private let keyPrefix: String
    private let boundary: RootBoundary
    private let recursive: Bool
    private let pool: NIOThreadPool

    /// Resolves a storage's location against the root.
    ///
    /// - Parameters:
    ///   - root: The worker's local-files root.
    ///   - path: The storage's `local.path`.
    ///   - prefix: The storage's `prefix`: a subdirectory, or empty.
    ///   - recursive: The storage's `recursive_scan`.
    ///   - pool: Where blocking file I/O runs.
    /// - Throws: ``ImportSourceError`` when the path is invalid, escapes the root, or is not a directory.
    public init(
        root: String,
        path: String,
        prefix: String,
        recursive: Bool,
        pool: NIOThreadPool = .singleton
    ) throws {
        let lexicalRoot: LocalFilesRoot
        let directory: String
        let start: String
        do {
            lexicalRoot = try LocalFilesRoot(root)
            directory = try lexicalRoot.resolve(path)
            start = prefix.isEmpty ? directory : try lexicalRoot.resolve(directory + "/" + prefix)
        } catch {
            throw ImportSourceError(subject: path, message: error.fieldErrors.map(\.message).joined(separator: "; "))
        }
        guard let boundary = RootBoundary(resolving: lexicalRoot.path) else {
            throw ImportSourceError(subject: root, message: "the local-files root does not exist")
        }
        guard let realStart = RootBoundary.realPath(start) else {
            throw ImportSourceError(subject: start, message: "no such directory")
        }
        guard boundary.contains(realStart) else {
            throw ImportSourceError(subject: start, message: "resolves outside the local-files root \(boundary.path)")
        }
        self.directory = directory
        self.listingStart = realStart
        self.keyPrefix = start == directory ? "" : String(start.dropFirst(directory.count + 1)) + "/"
        self.boundary = boundary
        self.recursive = recursive
        self.pool = pool
    }

    public func makeLister() throws -> any ObjectLister {
        LocalFilesLister(start: listingStart, boundary: boundary, recursive: recursive, keyPrefix: keyPrefix, pool: pool)
    }

    public func read(_ keys: [String]) async throws -> [LoadedObject] {
        let directory = self.directory
        let boundary = self.boundary
        return try await pool.runIfActive {
            try keys.map { key in
                LoadedObject(key: key, bytes: try Self.readFile(directory + "/" + key, key: key, boundary: boundary))
            }
        }
    }

    public func blobURL(for key: String) -> String {
        let path = directory + "/" + key
        return FileURL.string(forPath: path)
    }

    /// Reads a whole regular file that must resolve inside the boundary. `O_NONBLOCK` and the
    /// `S_ISREG` check keep a FIFO or device swapped in after the listing from blocking a thread.
    private static func readFile(_ path: String, key: String, boundary: RootBoundary) throws -> [UInt8] {
        guard let real = boundary.resolveInside(path) else {
            throw ImportSourceError(subject: key, message: "missing, or resolves outside the local-files root")
        }
        let descriptor = open(real, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW)
        guard descriptor >= 0 else {
            throw ImportSourceError(subject: key, message: "cannot open: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw ImportSourceError(subject: key, message: "cannot stat: \(String(cString: strerror(errno)))")
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw ImportSourceError(subject: key, message: "is not a regular file")
        }
        let expected = Int(info.st_size)
        var bytes = [UInt8](repeating: 0, count: expected)
        var filled = 0
        while filled < expected {
            let count = bytes.withUnsafeMutableBytes { buffer in
                systemRead(descriptor, buffer.baseAddress! + filled, expected - filled)
            }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else {
                throw ImportSourceError(subject: key, message: "cannot read: \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }  // The file shrank while being read.
            filled += count
        }
        bytes.removeLast(expected - filled)
        return bytes
    }
}
