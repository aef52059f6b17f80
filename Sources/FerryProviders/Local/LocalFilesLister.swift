import NIOPosix
import Synchronization

/// Pages of a local listing, pulled one at a time; the walk runs on the thread pool. A listing
/// made with `statsFiles` gives every file's size, modification time and an entity tag made of
/// the two (`<mtime µs hex>-<size hex>`, as web servers make them for files).
final class LocalFilesLister: ObjectLister {
    private let walker: Mutex<DirectoryWalker>
    private let keyPrefix: String
    private let pool: NIOThreadPool

    init(
        start: String, boundary: RootBoundary, recursive: Bool, keyPrefix: String, pool: NIOThreadPool,
        statsFiles: Bool = false
    ) {
        self.walker = Mutex(
            DirectoryWalker(start: start, boundary: boundary, recursive: recursive, statsFiles: statsFiles))
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
                page.append(
                    ListedObject(
                        key: keyPrefix + file.relativePath, size: file.size, etag: Self.etag(file),
                        lastModified: file.modified))
            }
            return page.isEmpty ? nil : page
        }
    }

    private static func etag(_ file: DirectoryWalker.File) -> String? {
        guard let size = file.size, let modified = file.modified else { return nil }
        return String(modified.unixMicroseconds, radix: 16) + "-" + String(size, radix: 16)
    }
}
