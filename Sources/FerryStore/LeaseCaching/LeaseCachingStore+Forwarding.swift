public import FerryCore

/// The calls that change no job and no storage row pass straight through; the fenced ones drop a
/// lease the store refuses.
extension LeaseCachingStore {
    public func storage(id: Int64) async throws -> Storage {
        try await base.storage(id: id)
    }

    public func secrets(of storageID: Int64) async throws -> StorageSecrets {
        try await base.secrets(of: storageID)
    }

    public func listStorages(_ query: StorageQuery) async throws -> StoragePage {
        try await base.listStorages(query)
    }

    public func job(id: String) async throws -> JobRecord? {
        try await base.job(id: id)
    }

    public func listJobs(_ query: JobQuery) async throws -> JobPage {
        try await base.listJobs(query)
    }

    public func jobObservation(storageID: Int64) async throws -> JobObservation {
        try await base.jobObservation(storageID: storageID)
    }

    public func checkLease(_ lease: JobLease) async throws -> LeaseState {
        try await base.checkLease(lease)
    }

    public func newImportKeys(lease: JobLease, keys: [String]) async throws -> [String] {
        try await fenced(lease) { try await base.newImportKeys(lease: lease, keys: keys) }
    }

    public func importTasks(
        lease: JobLease,
        tasks: [NewTask],
        partialKeys: Set<String>,
        checkpoint: SyncCheckpoint?,
        now: FerryTime
    ) async throws -> ImportResult {
        try await fenced(lease) {
            try await base.importTasks(lease: lease, tasks: tasks, partialKeys: partialKeys, checkpoint: checkpoint, now: now)
        }
    }

    public func listTasks(projectID: Int64, storageID: Int64?, afterID: Int64, limit: Int) async throws -> [TaskRecord] {
        try await base.listTasks(projectID: projectID, storageID: storageID, afterID: afterID, limit: limit)
    }

    public func taskCount(projectID: Int64) async throws -> Int64 {
        try await base.taskCount(projectID: projectID)
    }

    public func statistics() async throws -> StoreStatistics {
        try await base.statistics()
    }

    public func putAnnotations(projectID: Int64, _ annotations: [AnnotationWrite]) async throws -> AnnotationPutResult {
        try await base.putAnnotations(projectID: projectID, annotations)
    }

    public func deleteAnnotations(projectID: Int64, ids: [Int64], now: FerryTime) async throws
        -> AnnotationDeleteResult
    {
        try await base.deleteAnnotations(projectID: projectID, ids: ids, now: now)
    }

    public func annotations(ofTasks taskIDs: [Int64]) async throws -> [Int64: [AnnotationRecord]] {
        try await base.annotations(ofTasks: taskIDs)
    }

    public func exportBatch(lease: JobLease, afterTaskID: Int64, limit: Int) async throws -> ExportBatch {
        try await fenced(lease) { try await base.exportBatch(lease: lease, afterTaskID: afterTaskID, limit: limit) }
    }

    public func acknowledgeExport(
        lease: JobLease,
        written: [ExportWritten],
        deletedKeys: [String],
        checkpoint: SyncCheckpoint?,
        now: FerryTime
    ) async throws -> Int64 {
        try await fenced(lease) {
            try await base.acknowledgeExport(
                lease: lease, written: written, deletedKeys: deletedKeys, checkpoint: checkpoint, now: now)
        }
    }

    public func close() async throws {
        try await base.close()
    }

    public func upsertDatasetObjects(
        lease: JobLease,
        objects: [DatasetObjectMetadata],
        checkpoint: SyncCheckpoint?,
        now: FerryTime
    ) async throws -> DatasetUpsertResult {
        try await fenced(lease) {
            try await base.upsertDatasetObjects(lease: lease, objects: objects, checkpoint: checkpoint, now: now)
        }
    }

    public func completeDatasetScan(lease: JobLease, listingComplete: Bool, now: FerryTime) async throws -> Int64 {
        try await fenced(lease) {
            try await base.completeDatasetScan(lease: lease, listingComplete: listingComplete, now: now)
        }
    }

    public func listDatasetObjects(_ query: DatasetObjectQuery) async throws -> DatasetObjectPage {
        try await base.listDatasetObjects(query)
    }
}
