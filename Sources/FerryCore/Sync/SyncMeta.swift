/// Counters, timestamps and diagnostics of the current or last sync (docs/CONTRACT.md §2.3, `ferry.v1.SyncMeta`).
///
/// `nil` instants and durations mean "not yet" (0 on the wire).
public struct SyncMeta: Sendable, Hashable {
    /// How many times a sync was started for this storage.
    public var attempts: Int
    /// When the sync was queued (StartSync).
    public var timeQueued: FerryTime?
    /// When a worker claimed the job.
    public var timeInProgress: FerryTime?
    /// The last heartbeat, on the server's clock.
    public var timeLastPing: FerryTime?
    /// When the sync completed (with or without errors).
    public var timeCompleted: FerryTime?
    /// When the sync failed or was found dead.
    public var timeFailure: FerryTime?
    /// How long the sync ran, from claim to end.
    public var duration: FerryDuration?
    /// When a cancel was requested; `nil` if never.
    public var timeCancelRequested: FerryTime?
    /// Import: keys skipped because they were already linked to tasks of this storage.
    public var tasksExisted: Int64
    /// Import: tasks skipped because they failed validation.
    public var tasksFailedValidation: Int64
    /// Export: annotations written.
    public var totalAnnotations: Int64
    /// Objects listed that matched the filter.
    public var objectsScanned: Int64
    /// Bytes read from or written to the storage.
    public var bytesTransferred: Int64
    /// The id of the worker that claimed the job.
    public var workerID: String?
    /// The process instance of that worker (changes when it restarts).
    public var workerInstanceID: String?
    /// Set when the server, not the worker, ended the sync (or the worker confirmed a cancel).
    public var terminationReason: TerminationReason?

    /// Creates meta; every field defaults to "not yet" or zero.
    ///
    /// - Parameters:
    ///   - attempts: Syncs started so far.
    ///   - timeQueued: When the sync was queued.
    ///   - timeInProgress: When a worker claimed it.
    ///   - timeLastPing: The last heartbeat.
    ///   - timeCompleted: When it completed.
    ///   - timeFailure: When it failed.
    ///   - duration: How long it ran.
    ///   - timeCancelRequested: When a cancel was requested.
    ///   - tasksExisted: Import: keys already linked.
    ///   - tasksFailedValidation: Import: tasks that failed validation.
    ///   - totalAnnotations: Export: annotations written.
    ///   - objectsScanned: Objects listed that matched the filter.
    ///   - bytesTransferred: Bytes transferred.
    ///   - workerID: The claiming worker's id.
    ///   - workerInstanceID: The claiming worker's process instance.
    ///   - terminationReason: Why the server ended the sync.
    public init(
        attempts: Int = 0,
        timeQueued: FerryTime? = nil,
        timeInProgress: FerryTime? = nil,
        timeLastPing: FerryTime? = nil,
        timeCompleted: FerryTime? = nil,
        timeFailure: FerryTime? = nil,
        duration: FerryDuration? = nil,
        timeCancelRequested: FerryTime? = nil,
        tasksExisted: Int64 = 0,
        tasksFailedValidation: Int64 = 0,
        totalAnnotations: Int64 = 0,
        objectsScanned: Int64 = 0,
        bytesTransferred: Int64 = 0,
        workerID: String? = nil,
        workerInstanceID: String? = nil,
        terminationReason: TerminationReason? = nil
    ) {
        self.attempts = attempts
        self.timeQueued = timeQueued
        self.timeInProgress = timeInProgress
        self.timeLastPing = timeLastPing
        self.timeCompleted = timeCompleted
        self.timeFailure = timeFailure
        self.duration = duration
        self.timeCancelRequested = timeCancelRequested
        self.tasksExisted = tasksExisted
        self.tasksFailedValidation = tasksFailedValidation
        self.totalAnnotations = totalAnnotations
        self.objectsScanned = objectsScanned
        self.bytesTransferred = bytesTransferred
        self.workerID = workerID
        self.workerInstanceID = workerInstanceID
        self.terminationReason = terminationReason
    }
}
