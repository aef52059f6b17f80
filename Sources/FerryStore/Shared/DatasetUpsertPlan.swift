import FerryCore

/// How one UpsertDatasetObjects batch splits against the catalogue rows it names: objects new
/// or revived (tombstoned before) and live ones whose size or etag changed are written; live
/// ones unchanged are only marked seen. Both stores classify alike and differ only in SQL.
struct DatasetUpsertPlan {
    /// What the call reports.
    private(set) var result = DatasetUpsertResult(inserted: 0, updated: 0, unchanged: 0)
    /// The objects to insert or update.
    private(set) var written: [DatasetObjectMetadata] = []
    /// The keys to mark seen by the job.
    private(set) var unchanged: [String] = []

    /// Classifies `batch`.
    ///
    /// - Parameters:
    ///   - batch: The objects the worker listed.
    ///   - catalogued: The catalogue's rows for those keys (`key`, `size`, `etag`, `deleted_at`).
    /// - Throws: ``StoreError/Code/corrupt`` for a row missing a column.
    init(batch: [DatasetObjectMetadata], catalogued: [some StoredRow]) throws {
        var known: [String: (size: Int64, etag: String, live: Bool)] = [:]
        for row in catalogued {
            known[try row.string("key")] = (
                try row.int64("size"), try row.string("etag"), try row.optionalTime("deleted_at") == nil
            )
        }
        for object in batch {
            guard let entry = known[object.key], entry.live else {
                result.inserted += 1
                written.append(object)
                continue
            }
            if entry.size == object.size && entry.etag == object.etag {
                result.unchanged += 1
                unchanged.append(object.key)
            } else {
                result.updated += 1
                written.append(object)
            }
        }
    }
}
