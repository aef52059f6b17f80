import NIOPosix
import Synchronization

/// Pages of a local listing, pulled one at a time; the walk runs on the thread pool.
final class LocalFilesLister: ObjectLister {
    private let walker: Mutex<DirectoryWalker>
    private let keyPrefix: String
    private let pool: NIOThreadPool

    init(start: String, boundary: RootBoundary, recursive: Bool, keyPrefix: String, pool: NIOThreadPool) {
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
