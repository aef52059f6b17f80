import FerryProviders
import FerryCore

/// Applies a storage's ``KeyFilter`` to a listed page, checking for cancellation after every
/// key and letting other tasks run every ``yieldEvery`` keys. Matching is linear in the key,
/// so a stop request ends the loop within one key's match, well inside one ping interval.
enum PageFilter {
    /// Keys matched between voluntary suspensions.
    static let yieldEvery = 256

    /// The objects of `page` whose keys the filter takes, in order.
    ///
    /// - Throws: `CancellationError` when the job is stopped meanwhile.
    static func matching(_ page: [ListedObject], filter: KeyFilter) async throws -> [ListedObject] {
        var taken: [ListedObject] = []
        for (index, object) in page.enumerated() {
            try Task.checkCancellation()
            if index > 0 && index % yieldEvery == 0 { await Task.yield() }
            if filter.matches(object.key) { taken.append(object) }
        }
        return taken
    }
}
