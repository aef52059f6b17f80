import Foundation
import NIOPosix

extension LocalObjectStore {
    public func write(key: String, bytes: [UInt8], contentType: String) async throws -> WrittenObject {
        let path = try writablePath(for: key)
        let boundary = self.boundary
        try await pool.runIfActive {
            let parent = (path as NSString).deletingLastPathComponent
            do {
                try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
            } catch {
                throw ProviderError(subject: key, message: "cannot create its directory: \(error.localizedDescription)")
            }
            // A directory on the way may be a link: the file's real parent must stay under the root.
            guard boundary.resolveInside(parent) != nil else {
                throw ProviderError(subject: key, message: "resolves outside the local-files root \(boundary.path)")
            }
            do {
                try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
            } catch {
                throw ProviderError(subject: key, message: "cannot write: \(error.localizedDescription)")
            }
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
}
