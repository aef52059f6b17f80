import FerryProviders

/// Pulls a listing page by page, listing the next page while the caller works on the current
/// one, so a sync waits on the provider as little as possible. Memory holds two pages at most.
enum ListingPages {
    /// Calls `body` with every page of `lister`, in order.
    ///
    /// - Parameters:
    ///   - lister: The listing.
    ///   - pageSize: The most objects per page.
    ///   - body: The work on one page.
    /// - Throws: What the listing or `body` throws; the page being listed meanwhile is abandoned.
    static func forEach(
        _ lister: any ObjectLister,
        pageSize: Int,
        _ body: ([ListedObject]) async throws -> Void
    ) async throws {
        var page = try await lister.next(maxCount: pageSize)
        while let current = page {
            async let upcoming = lister.next(maxCount: pageSize)
            try await body(current)
            page = try await upcoming
        }
    }
}
