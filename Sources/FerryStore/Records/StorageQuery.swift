public import FerryCore

/// Which storages ``FerryStore/listStorages(_:)`` returns, and which page of them.
///
/// Every set filter must match; an empty set or `nil` matches all. Pages are in ascending id
/// order (keyset pagination), so a page cursor stays valid while storages are added or deleted:
/// every storage that exists for the whole walk is returned exactly once.
public struct StorageQuery: Sendable, Hashable {
    /// The default page size.
    public static let defaultPageSize = 100
    /// The largest page size; larger requests are capped.
    public static let maxPageSize = 1_000

    /// Only storages of this project.
    public var projectID: Int64?
    /// Only these kinds.
    public var kinds: Set<StorageKind>
    /// Only these providers.
    public var providers: Set<StorageProvider>
    /// Only these statuses, as stored (termination detection is the server's, after the read).
    public var statuses: Set<SyncStatus>
    /// Only titles containing this text, case-insensitively (ASCII case folding).
    public var titleContains: String?
    /// The most storages per page; 0 or less for ``defaultPageSize``, capped at ``maxPageSize``.
    public var pageSize: Int
    /// Where the page starts: the previous page's ``StoragePage/nextCursor``; `nil` for the first.
    public var cursor: StorageCursor?

    /// Creates a query.
    ///
    /// - Parameters:
    ///   - projectID: Only storages of this project.
    ///   - kinds: Only these kinds; empty for all.
    ///   - providers: Only these providers; empty for all.
    ///   - statuses: Only these statuses; empty for all.
    ///   - titleContains: Only titles containing this text; `nil` or empty for all.
    ///   - pageSize: The most storages per page; 0 for the default.
    ///   - cursor: The previous page's cursor; `nil` for the first page.
    public init(
        projectID: Int64? = nil,
        kinds: Set<StorageKind> = [],
        providers: Set<StorageProvider> = [],
        statuses: Set<SyncStatus> = [],
        titleContains: String? = nil,
        pageSize: Int = 0,
        cursor: StorageCursor? = nil
    ) {
        self.projectID = projectID
        self.kinds = kinds
        self.providers = providers
        self.statuses = statuses
        self.titleContains = titleContains
        self.pageSize = pageSize
        self.cursor = cursor
    }

    /// The page size actually used: ``pageSize`` defaulted and capped.
    public var effectivePageSize: Int {
        self.pageSize <= 0 ? Self.defaultPageSize : min(self.pageSize, Self.maxPageSize)
    }
}

/// An opaque position in a storage listing (`page_token`).
///
/// Pass ``token`` to clients and rebuild a cursor from it with ``init(token:)``; its format is
/// not part of any contract.
public struct StorageCursor: Sendable, Hashable, CustomStringConvertible {
    /// The last storage id of the previous page: the next page starts after it. For store
    /// implementations; clients see only ``token``.
    public let afterID: Int64

    /// Creates a cursor that starts after a storage id (for store implementations).
    ///
    /// - Parameter afterID: The last storage id of the previous page.
    public init(afterID: Int64) {
        self.afterID = afterID
    }

    /// Parses a token made by ``token``.
    ///
    /// - Parameter token: The token a client sent back.
    /// - Returns: The cursor, or `nil` if the token is malformed.
    public init?(token: String) {
        guard token.hasPrefix(Self.prefix), let id = Int64(token.dropFirst(Self.prefix.count)), id >= 0 else {
            return nil
        }
        self.afterID = id
    }

    /// The token to hand to clients.
    public var token: String {
        Self.prefix + String(self.afterID)
    }

    /// The token.
    public var description: String { self.token }

    private static let prefix = "s1."
}
