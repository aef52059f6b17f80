import FerryCore
public import NIOPosix

/// The `local` provider: files in a directory under the process's local-files root.
///
/// Keys are paths relative to the storage's directory (`local.path`), so `regex_filter` matches
/// `sub/file.json`. The storage's `prefix`, when set, is a subdirectory to list and stays part of
/// the keys. The directory must resolve (symlinks included) inside the root; a prefix whose
/// subdirectory does not exist lists nothing (writing creates it). Listing and reading
/// block, so both run on NIO's thread pool, a page or a batch per hop.
public struct LocalObjectStore: ObjectStore {
    private let directory: String
    let realDirectory: String
    /// The prefix's directory, resolved; `nil` while it does not exist (an export creates it).
    private let listingStart: String?
    private let keyPrefix: String
    let boundary: RootBoundary
    private let recursive: Bool
    let pool: NIOThreadPool
    /// Folders writes have created and checked.
    let checkedFolders = CheckedFolders()

    /// Resolves a storage's location against the root.
    ///
    /// - Parameters:
    ///   - root: The worker's local-files root.
    ///   - path: The storage's `local.path`.
    ///   - prefix: The storage's `prefix`: a subdirectory, or empty.
    ///   - recursive: The storage's `recursive_scan`.
    ///   - pool: Where blocking file I/O runs.
    /// - Throws: ``ProviderError`` when the path is invalid, escapes the root, or is not a directory.
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
            throw ProviderError(subject: path, message: error.fieldErrors.map(\.message).joined(separator: "; "))
        }
        guard let boundary = RootBoundary(resolving: lexicalRoot.path) else {
            throw ProviderError(subject: root, message: "the local-files root does not exist")
        }
        guard RootBoundary.realPath(directory) != nil else {
            throw ProviderError(subject: directory, message: "no such directory")
        }
        let realStart = RootBoundary.realPath(start)
        guard realStart.map(boundary.contains) ?? true, let realDirectory = boundary.resolveInside(directory) else {
            throw ProviderError(subject: start, message: "resolves outside the local-files root \(boundary.path)")
        }
        self.directory = directory
        self.realDirectory = realDirectory
        self.listingStart = realStart
        self.keyPrefix = start == directory ? "" : String(start.dropFirst(directory.count + 1)) + "/"
        self.boundary = boundary
        self.recursive = recursive
        self.pool = pool
    }

    /// Resolves a ``StorageLocation/local(_:)`` target against the root.
    ///
    /// - Throws: ``ProviderError`` for another provider's location, or as ``init(root:path:prefix:recursive:pool:)``.
    public init(root: String, target: ProviderTarget) throws {
        guard case .local(let location) = target.location else {
            throw ProviderError(subject: "\(target.location.provider)", message: "is not a local location")
        }
        try self.init(root: root, path: location.path, prefix: target.prefix, recursive: target.recursive)
    }

    public func makeLister() throws -> any ObjectLister {
        lister(statsFiles: false)
    }

    /// A listing that stats every file for its size and modification time.
    public func makeMetadataLister() throws -> any ObjectLister {
        lister(statsFiles: true)
    }

    private func lister(statsFiles: Bool) -> any ObjectLister {
        // Like a bucket prefix nothing was written under yet: no objects.
        guard let listingStart else { return EmptyObjectLister() }
        return LocalFilesLister(
            start: listingStart, boundary: boundary, recursive: recursive, keyPrefix: keyPrefix, pool: pool,
            statsFiles: statsFiles)
    }

    public func read(_ keys: [String]) async throws -> [LoadedObject] {
        let (directory, boundary) = (realDirectory, self.boundary)
        return try await pool.runIfActive {
            let reader = try LocalFileReader(directory: directory, boundary: boundary)
            return try keys.map { key in
                LoadedObject(key: key, bytes: try reader.read(key, maxBytes: ObjectLimits.maxObjectBytes))
            }
        }
    }

    public func blobURL(for key: String) -> String {
        let path = directory + "/" + key
        return FileURL.string(forPath: path)
    }
}
