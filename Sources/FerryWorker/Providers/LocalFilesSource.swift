import FerryCore
public import NIOPosix
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
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
    private let boundary: String
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
        guard let realRoot = Self.realPath(lexicalRoot.path) else {
            throw ImportSourceError(subject: root, message: "the local-files root does not exist")
        }
        guard let realStart = Self.realPath(start) else {
            throw ImportSourceError(subject: start, message: "no such directory")
        }
        guard realStart == realRoot || realStart.hasPrefix(realRoot == "/" ? "/" : realRoot + "/") else {
            throw ImportSourceError(subject: start, message: "resolves outside the local-files root \(realRoot)")
        }
        self.directory = directory
        self.listingStart = realStart
        self.keyPrefix = start == directory ? "" : String(start.dropFirst(directory.count + 1)) + "/"
        self.boundary = realRoot
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
        return "file://" + (path.addingPercentEncodingForPath())
    }

    /// Reads a whole file that must resolve inside the boundary.
    private static func readFile(_ path: String, key: String, boundary: String) throws -> [UInt8] {
        guard let real = realPath(path), real.hasPrefix(boundary == "/" ? "/" : boundary + "/") else {
            throw ImportSourceError(subject: key, message: "missing, or resolves outside the local-files root")
        }
        let descriptor = open(real, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw ImportSourceError(subject: key, message: "cannot open: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw ImportSourceError(subject: key, message: "cannot stat: \(String(cString: strerror(errno)))")
        }
        let expected = Int(info.st_size)
        var bytes = [UInt8](repeating: 0, count: expected)
        var filled = 0
        while filled < expected {
            let count = bytes.withUnsafeMutableBytes { buffer in
                Glibc.read(descriptor, buffer.baseAddress! + filled, expected - filled)
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

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

/// Pages of a local listing, pulled one at a time; the walk runs on the thread pool.
private final class LocalFilesLister: ObjectLister {
    private let walker: Mutex<DirectoryWalker>
    private let keyPrefix: String
    private let pool: NIOThreadPool

    init(start: String, boundary: String, recursive: Bool, keyPrefix: String, pool: NIOThreadPool) {
        self.walker = Mutex(DirectoryWalker(start: start, boundary: boundary, recursive: recursive))
        self.keyPrefix = keyPrefix
        self.pool = pool
    }

    func next(maxCount: Int) async throws -> [ListedObject]? {
        try await pool.runIfActive { try self.page(maxCount: maxCount) }
    }

    private func page(maxCount: Int) throws -> [ListedObject]? {
        try walker.withLock { walker in
            var page: [ListedObject] = []
            page.reserveCapacity(maxCount)
            while page.count < maxCount, let file = try walker.next() {
                page.append(ListedObject(key: keyPrefix + file.relativePath, size: file.size))
            }
            return page.isEmpty ? nil : page
        }
    }
}

extension String {
    /// Percent-encodes what a `file://` URI path may not hold literally.
    fileprivate func addingPercentEncodingForPath() -> String {
        var result = ""
        for byte in self.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"), UInt8(ascii: "/"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                result += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return result
    }

    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
