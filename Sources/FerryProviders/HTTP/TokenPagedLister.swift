import Synchronization

/// A listing pulled a page at a time from a provider that pages with an opaque token (S3's
/// continuation token, Azure's marker). Between pages it holds only the token and what is left
/// of the page being handed out, never the listing.
final class TokenPagedLister: ObjectLister {
    /// Fetches one page: at most `maxCount` objects after `token` (`nil` for the first page),
    /// and the next page's token (`nil` on the last page).
    typealias FetchPage = @Sendable (_ maxCount: Int, _ token: String?) async throws -> (
        objects: [ListedObject], nextToken: String?
    )

    private struct State {
        var page: ArraySlice<ListedObject> = []
        var token: String?
        var done = false
    }

    private let maxPerPage: Int
    private let fetchPage: FetchPage
    private let state = Mutex(State())

    /// - Parameters:
    ///   - maxPerPage: The most objects the provider answers per page.
    ///   - fetchPage: Fetches one page.
    init(maxPerPage: Int, fetchPage: @escaping FetchPage) {
        self.maxPerPage = maxPerPage
        self.fetchPage = fetchPage
    }

    func next(maxCount: Int) async throws -> [ListedObject]? {
        let count = max(1, maxCount)
        while true {
            let (taken, token, done) = state.withLock { state in
                let taken = Array(state.page.prefix(count))
                state.page = state.page.dropFirst(taken.count)
                return (taken, state.token, state.done)
            }
            if !taken.isEmpty { return taken }
            if done { return nil }
            let page = try await fetchPage(min(count, maxPerPage), token)
            state.withLock { state in
                state.page = ArraySlice(page.objects)
                state.token = page.nextToken
                state.done = page.nextToken == nil
            }
        }
    }
}
