public import FerryCore

/// One page of ``FerryStore/listStorages(_:)``.
///
/// For every returned storage whose sync is queued or in progress, the page also carries what the
/// queue knows about its job (``jobObservations``), read in the same snapshot, so the server can
/// run termination detection without another query per storage.
public struct StoragePage: Sendable, Hashable {
    /// The storages, in ascending id order; never with secret values.
    public var storages: [Storage]
    /// For each returned storage that is `queued` or `inProgress`, keyed by storage id: what the
    /// queue knows about its `lastSyncJob`.
    public var jobObservations: [Int64: JobObservation]
    /// How many storages match the filters, over all pages.
    public var totalCount: Int64
    /// The cursor of the next page; `nil` on the last page.
    public var nextCursor: StorageCursor?

    /// Creates a page.
    ///
    /// - Parameters:
    ///   - storages: The storages.
    ///   - jobObservations: Job observations of the active ones, by storage id.
    ///   - totalCount: Matches over all pages.
    ///   - nextCursor: The next page's cursor.
    public init(
        storages: [Storage],
        jobObservations: [Int64: JobObservation],
        totalCount: Int64,
        nextCursor: StorageCursor?
    ) {
        self.storages = storages
        self.jobObservations = jobObservations
        self.totalCount = totalCount
        self.nextCursor = nextCursor
    }

    /// What the queue knows about a returned storage's current job, for termination detection.
    ///
    /// - Parameter storageID: A storage on this page.
    /// - Returns: Its observation; ``JobObservation/missing`` if none was recorded.
    public func jobObservation(for storageID: Int64) -> JobObservation {
        self.jobObservations[storageID] ?? .missing
    }
}
