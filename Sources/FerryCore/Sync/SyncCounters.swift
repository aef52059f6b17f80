/// Progress of a running sync, as a worker reports it in a heartbeat (`ferry.v1.SyncCounters`).
///
/// Cumulative totals since the job started, not deltas, so a lost or repeated heartbeat does no
/// harm. Every counter must be non-negative.
public struct SyncCounters: Sendable, Hashable {
    /// Items synced: tasks created (import), objects written (export), objects upserted (dataset).
    public var synced: Int64
    /// Import: keys skipped because they were already linked to tasks of this storage.
    public var existed: Int64
    /// Import: tasks skipped because they failed validation.
    public var failedValidation: Int64
    /// Objects listed that matched the filter.
    public var objectsScanned: Int64
    /// Bytes read from or written to the storage.
    public var bytes: Int64
    /// Export: annotations written.
    public var totalAnnotations: Int64

    /// Creates counters.
    ///
    /// - Parameters:
    ///   - synced: Items synced so far.
    ///   - existed: Import: keys already linked.
    ///   - failedValidation: Import: tasks that failed validation.
    ///   - objectsScanned: Objects listed that matched the filter.
    ///   - bytes: Bytes transferred.
    ///   - totalAnnotations: Export: annotations written.
    public init(
        synced: Int64 = 0,
        existed: Int64 = 0,
        failedValidation: Int64 = 0,
        objectsScanned: Int64 = 0,
        bytes: Int64 = 0,
        totalAnnotations: Int64 = 0
    ) {
        self.synced = synced
        self.existed = existed
        self.failedValidation = failedValidation
        self.objectsScanned = objectsScanned
        self.bytes = bytes
        self.totalAnnotations = totalAnnotations
    }

    /// All zero.
    public static let zero = SyncCounters()

    /// The name of the first negative counter, if any.
    public var firstNegativeField: String? {
        let fields: [(String, Int64)] = [
            ("synced", self.synced), ("existed", self.existed), ("failed_validation", self.failedValidation),
            ("objects_scanned", self.objectsScanned), ("bytes", self.bytes),
            ("total_annotations", self.totalAnnotations),
        ]
        return fields.first { $0.1 < 0 }?.0
    }
}
