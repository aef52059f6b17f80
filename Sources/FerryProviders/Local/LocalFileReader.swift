#if canImport(Glibc)
import Glibc

private let systemRead = Glibc.read
private let systemOpen: @Sendable (UnsafePointer<CChar>, Int32) -> Int32 = Glibc.open
#elseif canImport(Darwin)
import Darwin

private let systemRead = Darwin.read
private let systemOpen: @Sendable (UnsafePointer<CChar>, Int32) -> Int32 = Darwin.open
#endif

/// Reads files by key beneath a storage directory, one batch at a time on a pool thread.
///
/// Each key is opened component by component from the directory with `openat` and
/// `O_NOFOLLOW`, so no directory on the way can be a link out of the root, at the cost of a few
/// cheap relative system calls (the directory of the previous key is kept open, and keys of one
/// listing page mostly share it). A key that is itself a link (allowed when it resolves inside
/// the root) is resolved with `realpath` and checked against the root instead. `O_NONBLOCK` and
/// the regular-file check keep a FIFO or device swapped in after the listing from blocking.
///
/// Not thread-safe; make one per batch.
final class LocalFileReader {
    private let directory: String
    private let directoryDescriptor: Int32
    private let boundary: RootBoundary
    private var cached: (path: Substring, descriptor: Int32)?

    /// Opens the storage directory.
    ///
    /// - Parameters:
    ///   - directory: The storage directory's real path.
    ///   - boundary: The root that links must resolve inside.
    init(directory: String, boundary: RootBoundary) throws(ProviderError) {
        let descriptor = systemOpen(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw ProviderError(subject: directory, message: "cannot open: \(String(cString: strerror(errno)))")
        }
        self.directory = directory
        self.directoryDescriptor = descriptor
        self.boundary = boundary
    }

    deinit {
        if let cached { close(cached.descriptor) }
        close(directoryDescriptor)
    }

    /// The whole content of the file at `key`.
    ///
    /// - Parameters:
    ///   - key: A key from the listing, relative to the storage directory.
    ///   - maxBytes: Larger files are refused.
    /// - Throws: ``ProviderError`` naming the key.
    func read(_ key: String, maxBytes: Int64) throws(ProviderError) -> [UInt8] {
        let descriptor = try openFile(key)
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw failure(key, "cannot stat") }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw ProviderError(subject: key, message: "is not a regular file")
        }
        guard Int64(info.st_size) <= maxBytes else {
            throw ProviderError(
                subject: key, message: "is \(info.st_size) bytes; task files are read whole, up to \(maxBytes) bytes")
        }
        let expected = Int(info.st_size)
        var bytes = [UInt8](repeating: 0, count: expected)
        var filled = 0
        while filled < expected {
            let count = bytes.withUnsafeMutableBytes { buffer in
                systemRead(descriptor, buffer.baseAddress! + filled, expected - filled)
            }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw failure(key, "cannot read") }
            if count == 0 { break }  // The file shrank while being read.
            filled += count
        }
        bytes.removeLast(expected - filled)
        return bytes
    }

    private func openFile(_ key: String) throws(ProviderError) -> Int32 {
        let flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW
        let slash = key.lastIndex(of: "/")
        let name = slash.map { String(key[key.index(after: $0)...]) } ?? key
        if let parent = parentDescriptor(slash.map { key[..<$0] } ?? "") {
            let descriptor = openat(parent, name, flags)
            if descriptor >= 0 { return descriptor }
            guard errno == ELOOP else { throw failure(key, "cannot open") }
        }
        // The key is a link, or a directory on its way is: resolve it and check the root.
        guard let real = boundary.resolveInside(directory + "/" + key) else {
            throw ProviderError(subject: key, message: "missing, or resolves outside the local-files root")
        }
        let descriptor = systemOpen(real, flags)
        guard descriptor >= 0 else { throw failure(key, "cannot open") }
        return descriptor
    }

    /// The open directory `path` (relative; empty for the storage directory), walked without
    /// following links; `nil` when a component is a link or missing.
    private func parentDescriptor(_ path: Substring) -> Int32? {
        if path.isEmpty { return directoryDescriptor }
        if let cached, cached.path == path { return cached.descriptor }
        var current = directoryDescriptor
        for component in path.split(separator: "/") {
            let next = openat(current, String(component), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if current != directoryDescriptor { close(current) }
            guard next >= 0 else { return nil }
            current = next
        }
        if let cached { close(cached.descriptor) }
        cached = (path, current)
        return current
    }

    private func failure(_ key: String, _ what: String) -> ProviderError {
        ProviderError(subject: key, message: "\(what): \(String(cString: strerror(errno)))")
    }
}
