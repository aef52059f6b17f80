import Foundation
import NIOPosix
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

extension LocalObjectStore {
    /// Writes a file atomically: its bytes go to a hidden temporary file beside it, which is then
    /// renamed over the key, so a reader never sees a partial object. A folder on the way is
    /// created and checked (it must resolve inside the root) once per store.
    public func write(key: String, bytes: [UInt8], contentType: String) async throws -> WrittenObject {
        let path = try writablePath(for: key)
        let (boundary, checked) = (self.boundary, self.checkedFolders)
        try await pool.runIfActive {
            let parent = (path as NSString).deletingLastPathComponent
            if !checked.contains(parent) {
                do {
                    try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
                } catch {
                    throw ProviderError(subject: key, message: "cannot create its directory: \(error.localizedDescription)")
                }
                // A directory on the way may be a link: the file's real parent must stay under the root.
                guard boundary.resolveInside(parent) != nil else {
                    throw ProviderError(subject: key, message: "resolves outside the local-files root \(boundary.path)")
                }
                checked.insert(parent)
            }
            try Self.replace(path, with: bytes, key: key)
        }
        return WrittenObject(key: key, etag: nil)
    }

    public func delete(key: String) async throws {
        let path = try writablePath(for: key)
        try await pool.runIfActive {
            guard unlink(path) == 0 || errno == ENOENT else {
                throw ProviderError(subject: key, message: "cannot delete: \(String(cString: strerror(errno)))")
            }
        }
    }

    /// The path of a key to write or delete: relative, without `.` or `..` components.
    private func writablePath(for key: String) throws -> String {
        let components = key.split(separator: "/", omittingEmptySubsequences: false)
        guard !key.isEmpty, !key.hasPrefix("/"), !components.contains(where: { $0 == ".." || $0 == "." || $0.isEmpty })
        else {
            throw ProviderError(subject: key, message: "is not a plain relative key")
        }
        return realDirectory + "/" + key
    }

    /// Writes `bytes` to a new temporary file beside `path` and renames it over `path`.
    private static func replace(_ path: String, with bytes: [UInt8], key: String) throws {
        func failure(_ what: String) -> ProviderError {
            ProviderError(subject: key, message: "cannot \(what): \(String(cString: strerror(errno)))")
        }
        let slash = path.lastIndex(of: "/")!
        let temporary = String(path[..<slash]) + "/." + String(path[path.index(after: slash)...]) + ".\(UInt64.random(in: 0...UInt64.max)).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw failure("write") }
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { buffer in
                Glibc.write(descriptor, buffer.baseAddress! + written, buffer.count - written)
            }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                let error = failure("write")
                close(descriptor)
                unlink(temporary)
                throw error
            }
            written += count
        }
        guard close(descriptor) == 0 else {
            let error = failure("write")
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let error = failure("write")
            unlink(temporary)
            throw error
        }
    }
}

/// The folders a local store has already created and checked, so that writing many objects
/// into one folder checks it once.
final class CheckedFolders: Sendable {
    private let folders = Mutex(Set<String>())

    /// Whether `folder` was checked.
    func contains(_ folder: String) -> Bool { folders.withLock { $0.contains(folder) } }

    /// Records `folder` as checked.
    func insert(_ folder: String) { _ = folders.withLock { $0.insert(folder) } }
}
