import FerryProviders
import Testing

extension ObjectStore {
    /// Every object of a listing, pulled `pageSize` at a time, and how many pages it took;
    /// records an issue for a page that is empty or larger than asked.
    func listAll(pageSize: Int) async throws -> (objects: [ListedObject], pages: Int) {
        let lister = try makeLister()
        var objects: [ListedObject] = []
        var pages = 0
        while let page = try await lister.next(maxCount: pageSize) {
            #expect(!page.isEmpty && page.count <= pageSize)
            objects += page
            pages += 1
        }
        return (objects, pages)
    }
}
